"""Access tokens: short-lived JWTs we sign (session tokens, long-lived opaque secrets, are ``sessions``')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt

from imagify.identity.keys import KeyRing, key_ring
from imagify.settings import IdentitySettings, identity_settings

# The only algorithm we sign with is the only one we accept: never taken from the token's header.
ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is not one we issued, or no longer valid. The reason is for logs, never for callers."""


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class AccessClaims:
    user_id: UUID
    session_id: UUID | None


def issue_access_token(
    user_id: UUID, *, session_id: UUID | None = None, now: datetime | None = None, ring: KeyRing | None = None
) -> AccessToken:
    settings = identity_settings()
    ring = ring or key_ring()
    issued = now or datetime.now(UTC)
    expires = issued + timedelta(seconds=settings.access_token_ttl_s)
    claims: dict[str, str | int] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "iat": int(issued.timestamp()),
        "nbf": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
    }
    if session_id is not None:
        claims["sid"] = str(session_id)  # so signing out with an access token ends its session
    token = jwt.encode(claims, ring.signing_key, algorithm=ALGORITHM, headers={"kid": ring.signing_kid})
    return AccessToken(token=token, expires_at=expires.replace(microsecond=0))


def verify_access_token(
    token: str, *, ring: KeyRing | None = None, settings: IdentitySettings | None = None
) -> AccessClaims:
    """The claims of a valid access token; ``InvalidToken`` for anything else."""
    settings = settings or identity_settings()
    ring = ring or key_ring()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken(f"malformed token: {error}") from error
    key = ring.keys.get(str(header.get("kid")))
    if key is None:
        raise InvalidToken("unknown or retired kid")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            leeway=settings.jwt_leeway_s,
            options={"require": ["iss", "aud", "sub", "iat", "exp"]},
        )
        # Our key signs only tokens of the configured lifetime: a longer one was not made by this API.
        lifetime = claims["exp"] - claims["iat"]
        if not isinstance(lifetime, int | float) or lifetime > settings.access_token_ttl_s:
            raise InvalidToken(f"the token lives longer than {settings.access_token_ttl_s} s")
        sid = claims.get("sid")
        return AccessClaims(user_id=UUID(str(claims["sub"])), session_id=UUID(str(sid)) if sid else None)
    except (jwt.PyJWTError, ValueError) as error:
        raise InvalidToken(str(error)) from error


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2
