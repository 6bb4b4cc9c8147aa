"""The one registry of what a warm function keeps between requests: the AWS clients, and (through
``@cached``) the settings, key rings, provider lists and AI clients made by the modules that know them.

Everything here is made on first use, so a function loads boto3 only when it calls AWS (cold starts), and
kept for the execution environment's life. ``reset()`` forgets all of it at once: the tests call it around
every test (one autouse fixture) and after changing the environment. In a function, only a SnapStart restore
does (``lifecycle.refresh``), and it keeps what is made from the environment's variables alone
(``@from_environment``: the settings), which every environment of a version shares.

Services take a client as an optional parameter (``s3=``, ``sfn=``, ``client=``), so a test passes a fake
instead of patching this module."""

from __future__ import annotations

from collections.abc import Callable
from functools import _lru_cache_wrapper, cache
from typing import Any, TypeVar

T = TypeVar("T")

_cached: list[_lru_cache_wrapper[Any]] = []
_from_environment: list[_lru_cache_wrapper[Any]] = []
_resets: list[Callable[[], None]] = []


def cached(factory: Callable[..., T]) -> _lru_cache_wrapper[T]:
    """``functools.cache``, registered so that ``reset()`` forgets what it made."""
    kept = cache(factory)
    _cached.append(kept)
    return kept


def from_environment(factory: Callable[..., T]) -> _lru_cache_wrapper[T]:
    """``cached``, for what is made from the environment's variables alone (the settings, and what is derived
    from them only): Lambda gives every environment of a version the same variables, so a restore from a
    snapshot keeps it (``reset(restored=True)``); the tests, which change the variables, forget it."""
    kept = cache(factory)
    _from_environment.append(kept)
    return kept


def on_reset(forget: Callable[[], None]) -> Callable[[], None]:
    """Register what ``reset()`` also calls (state that is not a cached factory, e.g. a connection)."""
    _resets.append(forget)
    return forget


def reset(*, restored: bool = False) -> None:
    """Forget every client, setting and cached value, as a new execution environment would start; after a
    SnapStart restore (``restored``), what ``@from_environment`` made is kept."""
    for kept in _cached if restored else [*_cached, *_from_environment]:
        kept.cache_clear()
    for forget in _resets:
        forget()


def _aws(what: str) -> None:
    """Before making an AWS client: none is made by a priming request (``lifecycle.offline``)."""
    from imagify import lifecycle  # (not at the top: it imports this module)

    lifecycle.refuse_offline(f"{what} client")


@cached
def s3() -> Any:
    _aws("S3")
    import boto3

    return boto3.client("s3")


@cached
def s3_presigner() -> Any:
    """An S3 client that presigns with SigV4 (botocore would otherwise presign S3 GETs with the legacy SigV2)."""
    _aws("S3")
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(signature_version="s3v4"))


@cached
def stepfunctions() -> Any:
    _aws("Step Functions")
    import boto3

    return boto3.client("stepfunctions")


@cached
def sesv2() -> Any:
    _aws("SES")
    import boto3

    return boto3.client("sesv2")
