"""An execution environment's life under SnapStart: prime before the snapshot, refresh after a restore.

With SnapStart (template.yaml), Lambda runs a function's init once per published version, snapshots the
environment, and starts new environments from the snapshot: work done before the snapshot is free at every
restore, and anything in it is shared by every environment restored from it. So:

- before the snapshot, :func:`prime`'s work runs (what the first request would otherwise do: building the
  route's validators and serializers and caching Python's answers about them (:func:`ask_abcs`), then a request
  to each route, :func:`offline`, so that what Powertools, pydantic and the standard library make on a first call
  is made), and nothing that must be fresh or unique is made (no connection, no secret: they are made on first
  use, after the restore); then the garbage collector is settled (:func:`settle`);
- after a restore, every cached client, secret and connection is dropped (``clients.reset``; the settings,
  read from the version's variables, are kept) and the random module is reseeded, so no two environments share
  a connection, a key or a random sequence; then what the first request needs is made again (``after_restore``:
  the database connection, the JWT keys), during the restore rather than in the request.

Without SnapStart (``AWS_LAMBDA_INITIALIZATION_TYPE`` is not ``snap-start``, or locally), nothing is primed
(init stays as small as it can) and nothing needs refreshing. The hooks are the runtime's
``snapshot_restore_py`` module (Lambda's python3.12+ runtimes have it; it is not on PyPI).
"""

from __future__ import annotations

import gc
import logging
import os
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from types import ModuleType, NoneType, SimpleNamespace
from uuid import UUID

from imagify import clients

SNAPSTART = "snap-start"
_reopen: list[Callable[[], object]] = []
_primed: list[Callable[[], object]] = []
_offline = False

# The types a request's values have, besides the layer's models (see ``build_models``).
VALUE_TYPES: tuple[type, ...] = (NoneType, bool, int, float, str, bytes, UUID, datetime, date, Decimal, list, tuple)


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
    clients.reset(restored=True)
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
        hooks.register_before_snapshot(settle)  # (registered first, so run last)
    _primed.append(work)
    hooks.register_before_snapshot(work)


def settle() -> None:
    """The last step before the snapshot: collect what init and priming left, then freeze what is left
    (``gc.freeze``). The first request starts with the collector's counts at zero rather than wherever init left
    them (a young collection was often due within it, ~1 ms), and no later collection walks the snapshot's
    objects, which a restored environment would otherwise read back in from the snapshot, page by page."""
    gc.collect()
    gc.freeze()


class Offline(Exception):
    """What would leave the process was asked for while a priming request runs."""


def is_offline() -> bool:
    """Whether a priming request is running (metrics are not written then)."""
    return _offline


def refuse_offline(what: str) -> None:
    """Raise ``Offline`` while a priming request runs: called before anything leaves the process (a database
    connection, a secret, an AWS client, a DNS lookup)."""
    if _offline:
        raise Offline(f"no {what} while priming before a snapshot")


@contextmanager
def offline() -> Iterator[None]:
    """Run priming requests (AWS's *invoke priming*): while inside, opening a database connection, reading a
    secret, making an AWS client or resolving a name raises ``Offline`` (``refuse_offline``), no metric is
    written and nothing is logged, so a request goes as far as it can without anything leaving the process,
    and changes nothing. Powertools' cold-start flag is left as it was, for the first real request to report."""
    global _offline
    from aws_lambda_powertools.logging import logger as powertools_logger

    cold_start, disabled = powertools_logger.is_cold_start, logging.root.manager.disable
    _offline = True
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        _offline = False
        logging.disable(disabled)
        powertools_logger.is_cold_start = cold_start


def priming_context() -> SimpleNamespace:
    """A stand-in for the Lambda context of a priming request (the runtime gives none at init)."""
    name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "priming")
    return SimpleNamespace(
        function_name=name,
        function_version=os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        invoked_function_arn=f"arn:aws:lambda:{os.environ.get('AWS_REGION', 'us-east-1')}:000000000000:function:{name}",
        memory_limit_in_mb=int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")),
        aws_request_id="priming",
        log_group_name=os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", ""),
        log_stream_name=os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", ""),
        get_remaining_time_in_millis=lambda: 10_000,
    )


def build_models() -> int:
    """Build every loaded pydantic model of the layer, and every parametrization of its generic ones (they are
    ``defer_build``: built on first use), so the first request finds its validators and serializers made; gives
    how many were built. Then ask Python whether each of them, and each of ``VALUE_TYPES``, is a ``Mapping`` or a
    ``Sequence`` (``ask_abcs``)."""
    from pydantic import BaseModel

    built: list[type[BaseModel]] = []
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        # A parametrized generic (``Page[Generation]``, made where a route names it) counts as its origin's.
        meta = model.__pydantic_generic_metadata__
        if (meta["origin"] or model).__module__.startswith("imagify.") and not meta["parameters"]:
            model.model_rebuild(force=True)
            built.append(model)
    ask_abcs((*VALUE_TYPES, *built))
    return len(built)


def ask_abcs(classes: Iterable[type], abcs: tuple[type, ...] = (Mapping, Sequence)) -> None:
    """Have Python's answers to ``issubclass(cls, abc)`` cached, for each abstract base class of ``abcs``
    (``Mapping`` and ``Sequence`` by default).

    The first time a class is checked against an abstract base class that it does not derive from, Python asks
    every subclass of the ABC in turn, then caches the answer: Mapping has some 140 here (Powertools' event
    classes), so the first check of each class costs ~0.4 ms. pydantic asks it of what a model is validated from
    (a row model, ``None``), Powertools of each parameter's type, on a request's path: asked before the snapshot,
    the answers are in it (until a class is registered with an ABC, which no request does)."""
    for cls in classes:
        for abc in abcs:
            issubclass(cls, abc)
