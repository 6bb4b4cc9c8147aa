"""Changing the environment in a test the way a new deployment would: the app reads it again."""

from __future__ import annotations

import pytest

from imagify import clients


def setenv(monkeypatch: pytest.MonkeyPatch, **variables: str | None) -> None:
    """Set (or, with ``None``, remove) variables, then forget every setting and client made from the old ones."""
    for name, value in variables.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    clients.reset()
