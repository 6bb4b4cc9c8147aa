"""Time as the database holds it: the seed's ``timestamp`` columns are naive UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def utcnow_exact() -> datetime:
    """:func:`utcnow` to the microsecond, for what is measured against a deadline."""
    return datetime.now(UTC).replace(tzinfo=None)
