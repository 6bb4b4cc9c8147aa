"""One-time tokens by email: verifying an address, and resetting a password.

A token is 256 random bits sent only in the email; ``verification_tokens`` holds its SHA-256, so a
leaked table gives nothing usable. Consuming is one ``DELETE ... RETURNING``: a token works once even
when two requests race, and only until it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Literal
from urllib.parse import urlencode

from imagify import db, email
from imagify.clock import utcnow
from imagify.errors import InvalidInput
from imagify.identity import passwords, sessions, users
from imagify.models.rows import UserRow
from imagify.settings import identity_settings

Purpose = Literal["verify-email", "password-reset"]


def _identifier(purpose: Purpose, address: str) -> str:
    return f"{purpose}:{users.email_key(address)}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(conn: db.Connection, purpose: Purpose, address: str, ttl_s: int) -> str:
    token = secrets.token_urlsafe(32)
    identifier = _identifier(purpose, address)
    # One live token per purpose and address: asking again makes the earlier link stop working.
    conn.execute("DELETE FROM verification_tokens WHERE identifier = %s", (identifier,))
    conn.execute(
        "INSERT INTO verification_tokens (identifier, token, expires) VALUES (%s, %s, %s)",
        (identifier, _digest(token), utcnow() + timedelta(seconds=ttl_s)),
    )
    return token


def _consume(conn: db.Connection, purpose: Purpose, address: str, token: str) -> None:
    row = conn.execute(
        "DELETE FROM verification_tokens WHERE identifier = %s AND token = %s RETURNING expires",
        (_identifier(purpose, address), _digest(token)),
    ).fetchone()
    if row is None or row["expires"] <= utcnow():
        raise InvalidInput("this link is not valid or has expired; ask for a new one")


def forget(conn: db.Connection, address: str) -> None:
    """Drop every pending token of an address (its account is being deleted)."""
    conn.execute(
        "DELETE FROM verification_tokens WHERE identifier IN (%s, %s)",
        (_identifier("verify-email", address), _identifier("password-reset", address)),
    )


def _link(page: str, address: str, token: str) -> str:
    return f"{identity_settings().app_base_url}/{page}?{urlencode({'email': address, 'token': token})}"


def request_email_verification(user: UserRow) -> None:
    settings = identity_settings()
    with db.transaction() as conn:
        token = _issue(conn, "verify-email", user.email, settings.email_verification_ttl_s)
    email.send(
        user.email,
        "Confirm your email for Imagify",
        f"Open this link within 24 hours to confirm your email:\n{_link('verify-email', user.email, token)}",
    )


def confirm_email(address: str, token: str) -> UserRow:
    with db.transaction() as conn:
        _consume(conn, "verify-email", address, token)
        user = users.by_email(conn, address)
        if user is None:
            raise InvalidInput("this link is not valid or has expired; ask for a new one")
        if user.email_verified is None:
            user = users.update(conn, user.id, email_verified=utcnow())
        return user


def request_password_reset(address: str) -> None:
    """Mail a reset link when the account exists; the caller always answers 202 either way."""
    settings = identity_settings()
    with db.transaction() as conn:
        user = users.by_email(conn, address)
        if user is None:
            return
        # The mail goes to the account's address as stored, whatever case the request typed.
        token = _issue(conn, "password-reset", user.email, settings.password_reset_ttl_s)
    email.send(
        user.email,
        "Reset your Imagify password",
        f"Open this link within an hour to choose a new password:\n{_link('reset-password', user.email, token)}\n"
        "If you did not ask for this, ignore this email.",
    )


def reset_password(address: str, token: str, new_password: str) -> None:
    new_hash = passwords.hash_password(new_password)
    with db.transaction() as conn:
        _consume(conn, "password-reset", address, token)
        user = users.by_email(conn, address)
        if user is None:
            raise InvalidInput("this link is not valid or has expired; ask for a new one")
        users.update(conn, user.id, password_hash=new_hash)
        sessions.revoke_all(conn, user.id)
        conn.execute("DELETE FROM login_failures WHERE email = %s", (users.email_key(address),))
