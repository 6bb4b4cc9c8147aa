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
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, item_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(created_at), UUID(item_id)
    except (ValueError, TypeError) as error:
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
