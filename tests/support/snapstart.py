"""The Lambda runtime's SnapStart hooks (``snapshot_restore_py``, not on PyPI), stood in for in a test."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable

import pytest

from imagify import lifecycle

Hooks = dict[str, list[Callable[[], object]]]

# The same stand-in, as the first lines of a script that runs an init in an interpreter of its own: what is
# registered is in ``hooks["before"]`` and ``hooks["after"]``.
STAND_IN_SCRIPT = """
import sys, types
hooks = {"before": [], "after": []}
_runtime = types.ModuleType("snapshot_restore_py")
_runtime.register_before_snapshot = lambda f, *a, **k: hooks["before"].append(f)
_runtime.register_after_restore = lambda f, *a, **k: hooks["after"].append(f)
sys.modules["snapshot_restore_py"] = _runtime
"""


def stand_in_runtime(monkeypatch: pytest.MonkeyPatch) -> Hooks:
    """Install a stand-in for the runtime's hooks module; gives what is registered with it, in order, under
    "before" (the snapshot) and "after" (a restore). Lambda runs the "before" ones in the reverse order."""
    registered: Hooks = {"before": [], "after": []}
    module = types.ModuleType("snapshot_restore_py")
    module.register_before_snapshot = registered["before"].append  # type: ignore[attr-defined]
    module.register_after_restore = registered["after"].append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", module)
    monkeypatch.setattr(lifecycle, "_primed", [])
    return registered


def snap_start_init(monkeypatch: pytest.MonkeyPatch) -> Hooks:
    """An init as SnapStart runs it: the runtime's hooks stood in for (``stand_in_runtime``) and the variable
    Lambda sets for it."""
    registered = stand_in_runtime(monkeypatch)
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    return registered
