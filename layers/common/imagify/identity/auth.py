"""Sign-up, sign-in, refresh and sign-out with a password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from imagify import db
from imagify.clock import utcnow
from imagify.errors import InvalidCredentials, RateLimited, Unauthorized
from imagify.identity import passwords, sessions, users
from imagify.identity.credentials import AccessToken, issue_access_token, looks_like_jwt, verify_access_token
from imagify.models.rows import UserRow
from imagify.observability import logger
from imagify.settings import app_settings, identity_settings, pricing_settings


@dataclass(frozen=True)
class SignedIn:
    user: UserRow
    access: AccessToken
    session: sessions.NewSession


def sign_in(conn: db.Connection, user: UserRow) -> SignedIn:
    session = sessions.create(conn, user.id)
    logger.info("signed in", extra={"user_id": str(user.id)})
    return SignedIn(user=user, access=issue_access_token(user.id, session_id=session.id), session=session)


def opening_role(email: str, *, trusted: bool = True) -> tuple[str, int]:
    """The role and token allowance a new account starts with."""
    if trusted and users.email_key(email) in app_settings().admin_emails:
        return "admin", pricing_settings().admin_tokens
    return "user", pricing_settings().signup_tokens


def register(email: str, password: str, name: str | None) -> SignedIn:
    password_hash = passwords.hash_password(password)  # slow on purpose: outside the transaction
    role, tokens = opening_role(email)
    with db.transaction() as conn:
        user = users.insert(conn, email=email, name=name, password_hash=password_hash, role=role, tokens=tokens)
        return sign_in(conn, user)


def _lockout_remaining(conn: db.Connection, email: str) -> int:
    """Seconds until ``email`` may try again, or 0 when it is not locked out."""
    settings = identity_settings()
    window = timedelta(seconds=settings.login_failure_window_s)
    now = utcnow()
    rows = conn.execute(
        "SELECT failed_at FROM login_failures WHERE email = %s AND failed_at > %s ORDER BY failed_at DESC LIMIT %s",
        (email, now - window, settings.login_max_failures),
    ).fetchall()
    if len(rows) < settings.login_max_failures:
        return 0
    oldest: datetime = rows[-1]["failed_at"]
    return max(1, int((oldest + window - now).total_seconds()) + 1)


def login(email: str, password: str) -> SignedIn:
    key = users.email_key(email)
    with db.transaction() as conn:
        # Attempts for one email pass this check one at a time, each counted as a failure before its
        # password is checked (a success clears the count), so concurrent guesses cannot outrun the lockout.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"login:{key}",))
        wait = _lockout_remaining(conn, key)
        if wait:
            raise RateLimited("too many failed sign-ins; try again later", retry_after_s=wait)
        conn.execute("INSERT INTO login_failures (email) VALUES (%s)", (key,))
        user = users.by_email(conn, email)
    stored = user.password_hash if user else None
    matches = passwords.verify_password(stored, password)  # runs even for an unknown email: same timing
    if user is None or stored is None or not matches:
        raise InvalidCredentials()
    with db.transaction() as conn:
        conn.execute("DELETE FROM login_failures WHERE email = %s", (key,))
        if passwords.needs_rehash(stored, password):
            # Verified just now, so a hash of a lower cost or of the other scheme becomes the configured one.
            user = users.update(conn, user.id, password_hash=passwords.hash_password(password))
        return sign_in(conn, user)


def refresh(session_token: str) -> AccessToken:
    with db.transaction() as conn:
        found = sessions.resolve(conn, session_token)
        user = users.by_id(conn, found.user_id) if found else None
    if found is None or user is None:
        raise Unauthorized("the session is not valid; sign in again")
    return issue_access_token(user.id, session_id=found.id)


def logout(user_id: UUID, bearer: str) -> None:
    """End the session behind the caller's token: the session itself, or the one its access token names."""
    with db.transaction() as conn:
        if looks_like_jwt(bearer):
            session_id = verify_access_token(bearer).session_id
            if session_id is not None:
                conn.execute("DELETE FROM sessions WHERE id = %s AND user_id = %s", (session_id, user_id))
        else:
            sessions.delete(conn, bearer)
