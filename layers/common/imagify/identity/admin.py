"""What an admin can do to other accounts."""

from __future__ import annotations

from typing import get_args
from uuid import UUID

from psycopg import sql

from imagify import db, pagination
from imagify.billing import ledger
from imagify.identity import users
from imagify.models.rows import USER_COLUMNS, GenerationMode, GenerationStatus, UserRow
from imagify.settings import pricing_settings

_FIELDS = db.columns(USER_COLUMNS)


def search_users(q: str | None, limit: int, cursor: str | None) -> tuple[list[UserRow], str | None]:
    query = sql.SQL(
        "SELECT {} FROM users WHERE (%(pattern)s::text IS NULL OR email ILIKE %(pattern)s OR name ILIKE %(pattern)s)"
    ).format(_FIELDS)
    pattern = None
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
    rows, next_cursor = pagination.page(query, {"pattern": pattern}, limit=limit, cursor=cursor)
    return [UserRow.model_validate(r) for r in rows], next_cursor


def change_user(admin_id: UUID, user_id: UUID, changes: dict[str, str]) -> UserRow:
    """Change a user's role or plan; a new admin gets at least the admin allowance of tokens."""
    with db.transaction() as conn:
        before = users.require(conn, user_id, for_update=True)
        users.update(conn, user_id, **changes)
        if changes.get("role") == "admin" and before.role != "admin":
            ledger.raise_to_at_least(
                conn, user_id, pricing_settings().admin_tokens, admin_id=admin_id, note="made admin"
            )
        return users.require(conn, user_id)


def adjust_tokens(admin_id: UUID, user_id: UUID, delta: int, note: str) -> UserRow:
    with db.transaction() as conn:
        users.require(conn, user_id)
        ledger.adjust(conn, user_id, delta, admin_id=admin_id, note=note)
        return users.require(conn, user_id)


def stats() -> dict[str, object]:
    with db.transaction() as conn:
        user_count = conn.execute("SELECT count(*) AS n FROM users").fetchone()
        by_status = conn.execute("SELECT status::text AS k, count(*) AS n FROM generations GROUP BY 1").fetchall()
        by_mode = conn.execute("SELECT mode::text AS k, count(*) AS n FROM generations GROUP BY 1").fetchall()
        tokens = conn.execute(
            "SELECT coalesce(-sum(delta) FILTER (WHERE kind IN ('generation_charge', 'advisor_charge')), 0) AS spent, "
            "coalesce(sum(delta) FILTER (WHERE kind = 'generation_refund'), 0) AS refunded "
            "FROM token_transactions"
        ).fetchone()
    assert user_count is not None
    assert tokens is not None
    return {
        "users": user_count["n"],
        "generations": {
            "by_status": {**dict.fromkeys(get_args(GenerationStatus), 0), **{r["k"]: r["n"] for r in by_status}},
            "by_mode": {**dict.fromkeys(get_args(GenerationMode), 0), **{r["k"]: r["n"] for r in by_mode}},
        },
        "tokens": {"spent": tokens["spent"], "refunded": tokens["refunded"]},
    }
