"""The settings groups of ``imagify.settings``, as the tests of the functions' declarations walk them."""

from __future__ import annotations

from imagify import settings


def groups() -> list[type[settings.Settings]]:
    """Every settings group (every subclass of ``Settings``, however deep)."""
    found: list[type[settings.Settings]] = []
    pending = [settings.Settings]
    while pending:
        for group in pending.pop().__subclasses__():
            found.append(group)
            pending.append(group)
    return found
