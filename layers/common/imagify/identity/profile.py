"""What a user can see and change of their own account."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg.rows import DictRow

from imagify import db, pagination, storage
from imagify.errors import Forbidden
from imagify.identity import passwords, users, verification
from imagify.models.rows import UserRow


def me(user_id: UUID) -> UserRow:
    with db.transaction() as conn:
        return users.require(conn, user_id)


def update_me(user_id: UUID, changes: dict[str, Any]) -> UserRow:
    with db.transaction() as conn:
        return users.update(conn, user_id, **changes)


def delete_me(user_id: UUID, password: str | None, *, s3: Any | None = None) -> None:
    """Remove the user, everything that cascades from it, and their uploads.

    An account with a password must confirm it. Uploads go first: if the database delete then fails, the
    account is intact and only short-lived uploads are gone, where the other order could leave objects
    of a deleted user behind.
    """
    user = me(user_id)
    if user.password_hash is not None and not passwords.verify_password(user.password_hash, password or ""):
        raise Forbidden("confirm with your password to delete the account")
    storage.delete_user_uploads(user_id, client=s3)
    with db.transaction() as conn:
        users.delete(conn, user_id)
        # Rows keyed by the address rather than the user id do not cascade: they go with the account too.
        verification.forget(conn, user.email)
        conn.execute("DELETE FROM login_failures WHERE email = %s", (users.email_key(user.email),))


def token_transactions(user_id: UUID, limit: int, cursor: str | None) -> tuple[list[DictRow], str | None]:
    return pagination.page(
        "SELECT id, delta, balance_after, kind, generation_id, note, created_at FROM token_transactions "
        "WHERE user_id = %(user_id)s",
        {"user_id": user_id},
        limit=limit,
        cursor=cursor,
    )
