"""Queries on ``users``: explicit columns, parameters only."""

from __future__ import annotations

from uuid import UUID

from psycopg import errors as pg_errors
from psycopg import sql

from imagify.db import Connection, assignments, columns
from imagify.errors import EmailTaken, NotFound
from imagify.models.rows import USER_COLUMNS, UserRow

_FIELDS = columns(USER_COLUMNS)


def by_id(conn: Connection, user_id: UUID, *, for_update: bool = False) -> UserRow | None:
    query = sql.SQL("SELECT {} FROM users WHERE id = %s").format(_FIELDS)
    if for_update:
        query += sql.SQL(" FOR UPDATE")
    row = conn.execute(query, (user_id,)).fetchone()
    return UserRow.model_validate(row) if row else None


def require(conn: Connection, user_id: UUID, *, for_update: bool = False) -> UserRow:
    user = by_id(conn, user_id, for_update=for_update)
    if user is None:
        raise NotFound("user not found")
    return user


def email_key(address: str) -> str:
    """What identifies an address whatever its case: one person is one account (migrations/0010).

    ``users.email`` keeps the address as it was typed, since the frontend's Auth.js adapter looks users up
    by the exact string; the backend finds them by ``lower(email)``, which a unique index serves. Rows the
    backend keys by address (login failures, one-time tokens) use this key.
    """
    return address.lower()


def by_email(conn: Connection, email: str) -> UserRow | None:
    query = sql.SQL("SELECT {} FROM users WHERE lower(email) = lower(%s)").format(_FIELDS)
    row = conn.execute(query, (email,)).fetchone()
    return UserRow.model_validate(row) if row else None


def insert(
    conn: Connection,
    *,
    email: str,
    name: str | None,
    password_hash: str | None,
    role: str,
    tokens: int,
    image: str | None = None,
    email_verified: bool = False,
) -> UserRow:
    """A new user; its opening balance is written to the ledger by the users_record_opening_balance trigger."""
    query = sql.SQL(
        "INSERT INTO users (email, name, password_hash, image, role, tokens, email_verified) "
        "VALUES (%s, %s, %s, %s, %s, %s, CASE WHEN %s THEN now() END) RETURNING {}"
    ).format(_FIELDS)
    try:
        with conn.transaction():  # a savepoint, so a duplicate leaves the caller's transaction usable
            row = conn.execute(query, (email, name, password_hash, image, role, tokens, email_verified)).fetchone()
    except pg_errors.UniqueViolation as error:
        raise EmailTaken() from error
    return UserRow.model_validate(row)


def update(conn: Connection, user_id: UUID, **changes: object) -> UserRow:
    """Set the given columns (names from ``USER_COLUMNS`` only) and return the row."""
    unknown = set(changes) - set(USER_COLUMNS)
    if unknown or not changes:
        raise ValueError(f"cannot update users columns {sorted(unknown) or 'none'}")
    query = sql.SQL("UPDATE users SET {} WHERE id = %(user_id)s RETURNING {}").format(assignments(changes), _FIELDS)
    row = conn.execute(query, {**changes, "user_id": user_id}).fetchone()
    if row is None:
        raise NotFound("user not found")
    return UserRow.model_validate(row)


def delete(conn: Connection, user_id: UUID) -> bool:
    return conn.execute("DELETE FROM users WHERE id = %s", (user_id,)).rowcount == 1
