"""Keyset pagination of the newest-first lists: ``page()`` fetches one, and the opaque cursor it gives holds
the (created_at, id) of the page's last item."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, LiteralString
from uuid import UUID

from psycopg import sql
from psycopg.rows import DictRow

from imagify import db
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


# The keyset condition and ordering every newest-first list uses, with the parameters of ``_keyset()``.
_AFTER_CURSOR = " AND (%(after_at)s::timestamp IS NULL OR (created_at, id) < (%(after_at)s, %(after_id)s))"
_NEWEST_FIRST = " ORDER BY created_at DESC, id DESC LIMIT %(limit)s"


def page(
    query: LiteralString | sql.Composable, params: dict[str, Any], *, limit: int, cursor: str | None
) -> tuple[list[DictRow], str | None]:
    """One page of a newest-first list, and the cursor of the next (``None`` on the last page).

    ``query`` selects ``created_at`` and ``id`` (with whatever else) and ends with its ``WHERE`` clause: the
    keyset condition is ANDed to it, then the order and the limit. Its named ``params`` must not use
    ``after_at``, ``after_id`` or ``limit``. A cursor that is not one of ours is ``InvalidInput``."""
    statement = (sql.SQL(query) if isinstance(query, str) else query) + sql.SQL(_AFTER_CURSOR + _NEWEST_FIRST)
    rows = db.fetch_all(statement, {**params, **_keyset(cursor, limit)})
    return rows[:limit], _next_cursor(rows, limit)


def _keyset(cursor: str | None, limit: int) -> dict[str, Any]:
    """Parameters for ``_AFTER_CURSOR`` and ``_NEWEST_FIRST``: one row more than a page, to see if more follow."""
    after = decode(cursor)
    return {"after_at": after[0] if after else None, "after_id": after[1] if after else None, "limit": limit + 1}


def _next_cursor(rows: list[DictRow], limit: int) -> str | None:
    """The cursor after a page fetched with ``LIMIT limit + 1`` (the extra row says there is more)."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode(last["created_at"], last["id"])
