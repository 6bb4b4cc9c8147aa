"""An execution environment's life under SnapStart: prime before the snapshot, refresh after a restore.

With SnapStart (template.yaml), Lambda runs a function's init once per published version, snapshots the
environment, and starts new environments from the snapshot: work done before the snapshot is free at every
restore, and anything in it is shared by every environment restored from it. So:

- before the snapshot, :func:`prime`'s work runs (what the first request would otherwise do: building the
  route's validators and serializers), and nothing that must be fresh or unique is made (no connection, no
  secret: they are made on first use, after the restore);
- after a restore, every cached client, setting and connection is dropped (``clients.reset``) and the random
  module is reseeded, so no two environments share a connection, a key or a random sequence; then what the
  first request needs is made again (``after_restore``: the database connection, the JWT keys), during the
  restore rather than in the request.

Without SnapStart (``AWS_LAMBDA_INITIALIZATION_TYPE`` is not ``snap-start``, or locally), nothing is primed
(init stays as small as it can) and nothing needs refreshing. The hooks are the runtime's
``snapshot_restore_py`` module (Lambda's python3.12+ runtimes have it; it is not on PyPI).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from types import ModuleType

from imagify import clients

SNAPSTART = "snap-start"
_reopen: list[Callable[[], object]] = []
_primed: list[Callable[[], object]] = []


def runtime_hooks() -> ModuleType | None:
    """The runtime's SnapStart hooks when this init is SnapStart's, else None."""
    if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != SNAPSTART:
        return None
    try:
        import snapshot_restore_py  # type: ignore[import-not-found]
    except ImportError:  # a runtime without the hooks
        return None
    hooks: ModuleType = snapshot_restore_py
    return hooks


def after_restore(reopen: Callable[[], object]) -> Callable[[], object]:
    """Register what a restored environment makes again at once (its connection, its keys), so that its first
    request finds them made; a decorator. A failure is left for the first request to meet and retry."""
    _reopen.append(reopen)
    return reopen


def refresh() -> None:
    """After a restore: forget what the snapshot holds that must be this environment's own, then make again what
    the first request needs."""
    clients.reset()
    random.seed()
    for reopen in _reopen:
        try:
            reopen()
        except Exception:  # noqa: S112 - the first request meets it again, and answers for it
            continue


def prime(work: Callable[[], object]) -> None:
    """Have ``work`` done before the snapshot (with SnapStart), and the environment refreshed after each restore."""
    hooks = runtime_hooks()
    if hooks is None:
        return
    if not _primed:  # one refresh per environment, however many prime
        hooks.register_after_restore(refresh)
    _primed.append(work)
    hooks.register_before_snapshot(work)


def build_models() -> int:
    """Build every loaded pydantic model of the layer, and every parametrization of its generic ones (they are
    ``defer_build``: built on first use), so the first request finds its validators and serializers made; gives
    how many were built."""
    from pydantic import BaseModel

    built, pending = 0, list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        # A parametrized generic (``Page[Generation]``, made where a route names it) counts as its origin's.
        meta = model.__pydantic_generic_metadata__
        if (meta["origin"] or model).__module__.startswith("imagify.") and not meta["parameters"]:
            model.model_rebuild(force=True)
            built += 1
    return built
