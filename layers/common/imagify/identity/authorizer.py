"""Who is calling: the authorizer's check of a bearer token, either kind."""

from __future__ import annotations

from uuid import UUID

from imagify import db
from imagify.errors import Unauthorized
from imagify.identity import sessions
from imagify.identity.credentials import InvalidToken, looks_like_jwt, verify_access_token
from imagify.identity.principal import Principal

_PRINCIPAL = """
SELECT u.id, u.role, u.plan FROM users u
WHERE u.id = %(user_id)s
  AND (%(session_id)s::uuid IS NULL OR EXISTS (
        SELECT 1 FROM sessions s WHERE s.id = %(session_id)s AND s.user_id = u.id AND s.expires > now()))
"""


def authenticate(token: str) -> Principal:
    """The caller behind an access token or a session token, loaded fresh so a deleted user, a revoked
    session or a changed role takes effect as soon as API Gateway's authorizer cache lets it."""
    session_id: UUID | None = None
    user_id: UUID | None
    with db.transaction() as conn:
        if looks_like_jwt(token):
            try:
                claims = verify_access_token(token)
            except InvalidToken as error:
                raise Unauthorized() from error
            user_id, session_id = claims.user_id, claims.session_id
        else:
            # No raise in here for a dead session: the transaction must commit resolve()'s delete of it.
            live = sessions.resolve(conn, token)
            user_id = live.user_id if live else None
        row = None
        if user_id is not None:
            row = conn.execute(_PRINCIPAL, {"user_id": user_id, "session_id": session_id}).fetchone()
    if row is None:
        raise Unauthorized()
    return Principal(user_id=row["id"], role=row["role"], plan=row["plan"])
