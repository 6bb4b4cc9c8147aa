"""Keyset pagination: an opaque cursor holding the (created_at, id) of the last item of a page."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from imagify.errors import InvalidInput


def encode(created_at: datetime, item_id: UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(item_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None) -> tuple[datetime, UUID] | None:
    """The position a cursor of ``encode`` holds; anything else (however well-formed) is ``InvalidInput``."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)):
            raise ValueError("not a cursor of ours")
        created_at = datetime.fromisoformat(value[0])
        if created_at.tzinfo is not None:
            raise ValueError("not a cursor of ours")  # ours hold the column's naive UTC timestamp
        return created_at, UUID(value[1])
    except (ValueError, TypeError, RecursionError) as error:
        raise InvalidInput(
            "the cursor is not valid", details=[{"loc": ["query", "cursor"], "msg": "invalid cursor"}]
        ) from error


# The keyset condition and ordering every newest-first list uses, with the parameters of ``keyset()``.
AFTER_CURSOR = "(%(after_at)s::timestamp IS NULL OR (created_at, id) < (%(after_at)s, %(after_id)s))"
NEWEST_FIRST = " ORDER BY created_at DESC, id DESC LIMIT %(limit)s"


def keyset(cursor: str | None, limit: int) -> dict[str, Any]:
    """Parameters for ``AFTER_CURSOR`` and ``NEWEST_FIRST``: one row more than a page, to see if more follow."""
    after = decode(cursor)
    return {"after_at": after[0] if after else None, "after_id": after[1] if after else None, "limit": limit + 1}


def next_cursor(rows: list[Any], limit: int) -> str | None:
    """The cursor after a page fetched with ``LIMIT limit + 1`` (the extra row says there is more)."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode(last["created_at"], last["id"])
