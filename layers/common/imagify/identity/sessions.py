"""Database sessions: rows in ``sessions``, as Auth.js keeps them, looked up by their token.

A session token is a long-lived opaque secret, stored hashed; this module needs no JWT library (the functions
that only look sessions up do not load it).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from imagify.clock import utcnow
from imagify.db import Connection
from imagify.settings import identity_settings

SESSION_PREFIX = "ims_"


def new_session_token() -> str:
    """256 random bits, URL-safe, with a prefix that tells our tokens from Auth.js's UUIDs."""
    return SESSION_PREFIX + secrets.token_urlsafe(32)


def stored_session_token(token: str) -> str:
    """What the ``sessions`` row holds for a token.

    Ours are stored as their SHA-256, so a leaked table yields no usable token. A session that the
    frontend's Auth.js adapter created holds its random UUID as is (that is how Auth.js looks it up), and
    is looked up the same way.
    """
    if token.startswith(SESSION_PREFIX):
        return "sha256:" + hashlib.sha256(token.encode()).hexdigest()
    return token


@dataclass(frozen=True)
class NewSession:
    id: UUID
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class LiveSession:
    id: UUID
    user_id: UUID


def create(conn: Connection, user_id: UUID) -> NewSession:
    token = new_session_token()
    expires = utcnow() + timedelta(seconds=identity_settings().session_ttl_s)
    row = conn.execute(
        "INSERT INTO sessions (session_token, user_id, expires) VALUES (%s, %s, %s) RETURNING id",
        (stored_session_token(token), user_id, expires),
    ).fetchone()
    assert row is not None
    return NewSession(id=row["id"], token=token, expires_at=expires)


def resolve(conn: Connection, token: str) -> LiveSession | None:
    """The user of a live session, extending it as Auth.js does; an expired session is deleted.

    A session whose expiry is less than ``ttl - update_age`` away was last extended more than a day ago,
    so it gets a fresh ``ttl``; one used more often is left alone (no write on every request).
    """
    settings = identity_settings()
    stored = stored_session_token(token)
    row = conn.execute("SELECT id, user_id, expires FROM sessions WHERE session_token = %s", (stored,)).fetchone()
    if row is None:
        return None
    now = utcnow()
    if row["expires"] <= now:
        conn.execute("DELETE FROM sessions WHERE session_token = %s", (stored,))
        return None
    if row["expires"] - now < timedelta(seconds=settings.session_ttl_s - settings.session_update_age_s):
        conn.execute(
            "UPDATE sessions SET expires = %s WHERE session_token = %s",
            (now + timedelta(seconds=settings.session_ttl_s), stored),
        )
    return LiveSession(id=row["id"], user_id=row["user_id"])


def delete(conn: Connection, token: str) -> bool:
    cursor = conn.execute("DELETE FROM sessions WHERE session_token = %s", (stored_session_token(token),))
    return cursor.rowcount == 1


def revoke_all(conn: Connection, user_id: UUID) -> int:
    return conn.execute("DELETE FROM sessions WHERE user_id = %s", (user_id,)).rowcount
