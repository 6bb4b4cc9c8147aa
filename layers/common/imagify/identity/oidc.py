"""Sign-in with an OpenID Connect ID token (Google by default, more providers from configuration).

The token's signature is checked against the provider's JWKS (fetched from the configured URL only,
never one the caller names, and cached), then its issuer, audience and expiry.
"""

import json
from dataclasses import dataclass
from typing import Any

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from imagify import db
from imagify.clients import cached
from imagify.clock import utcnow
from imagify.errors import EmailTaken, InvalidInput, NotFound, Unauthorized
from imagify.identity import users
from imagify.identity.auth import SignedIn, opening_role, sign_in
from imagify.settings import identity_settings

GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")
GOOGLE_JWKS_URI = "https://www.googleapis.com/oauth2/v3/certs"


class Provider(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    issuers: tuple[str, ...] = Field(min_length=1)
    jwks_uri: str = Field(alias="jwksUri", pattern=r"^https?://")
    audiences: tuple[str, ...] = Field(min_length=1)
    algorithms: tuple[str, ...] = ("RS256",)


@cached
def providers() -> dict[str, Provider]:
    settings = identity_settings()
    configured: dict[str, Provider] = {}
    if settings.google_client_id:
        audiences = tuple(a.strip() for a in settings.google_client_id.split(",") if a.strip())
        configured["google"] = Provider(issuers=GOOGLE_ISSUERS, jwks_uri=GOOGLE_JWKS_URI, audiences=audiences)
    if settings.oidc_providers:
        for name, spec in json.loads(settings.oidc_providers).items():
            configured[name] = Provider.model_validate(spec)
    return configured


@cached
def _jwks_client(uri: str) -> jwt.PyJWKClient:
    # Keys are cached for an hour; an unknown kid makes PyJWKClient fetch the set again (key rotation).
    return jwt.PyJWKClient(uri, cache_keys=True, lifespan=3600, timeout=5)


class IdClaims(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sub: str = Field(min_length=1, max_length=255)
    email: str | None = Field(default=None, max_length=255)
    email_verified: bool = False
    name: str | None = None
    picture: str | None = None
    exp: int


def verify_id_token(provider_name: str, id_token: str) -> IdClaims:
    provider = providers().get(provider_name)
    if provider is None:
        raise NotFound(f"unknown sign-in provider {provider_name!r}")
    try:
        key = _jwks_client(provider.jwks_uri).get_signing_key_from_jwt(id_token)
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key.key,
            algorithms=list(provider.algorithms),
            audience=list(provider.audiences),
            issuer=list(provider.issuers),
            leeway=identity_settings().jwt_leeway_s,
            options={"require": ["iss", "aud", "sub", "exp", "iat"]},
        )
        return IdClaims.model_validate(claims)
    except (jwt.PyJWTError, ValidationError) as error:
        raise Unauthorized("the ID token is not valid") from error


@dataclass(frozen=True)
class _Account:
    provider: str
    subject: str


def sign_in_with(provider_name: str, id_token: str) -> SignedIn:
    claims = verify_id_token(provider_name, id_token)
    account = _Account(provider_name, claims.sub)
    with db.transaction() as conn:
        # accounts has no unique (provider, provider_account_id) in the seed's schema, so concurrent first
        # sign-ins of one account are serialised here instead.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"oidc:{account.provider}:{account.subject}",))
        linked = conn.execute(
            "SELECT id, user_id FROM accounts WHERE provider = %s AND provider_account_id = %s",
            (account.provider, account.subject),
        ).fetchone()
        if linked is not None:
            user = users.require(conn, linked["user_id"])
            conn.execute(
                "UPDATE accounts SET id_token = %s, expires_at = %s WHERE id = %s",
                (id_token, claims.exp, linked["id"]),
            )
        else:
            user = _link_or_create(conn, claims)
            conn.execute(
                "INSERT INTO accounts (user_id, type, provider, provider_account_id, id_token, expires_at, "
                "token_type) VALUES (%s, 'oidc', %s, %s, %s, %s, 'Bearer')",
                (user.id, account.provider, account.subject, id_token, claims.exp),
            )
        return sign_in(conn, user)


def _link_or_create(conn: db.Connection, claims: IdClaims) -> Any:
    if not claims.email:
        raise InvalidInput("the ID token carries no email address")
    address = claims.email.strip()
    existing = users.by_email(conn, address)
    if existing is not None:
        if not claims.email_verified:
            # Linking on an unverified address would let anyone who types a victim's email at some
            # provider take over their account.
            raise EmailTaken("an account with this email exists; sign in with it first")
        if existing.email_verified is None:
            return users.update(conn, existing.id, email_verified=utcnow())
        return existing
    # Admin by ADMIN_EMAILS only for an address the provider vouches for.
    role, tokens = opening_role(address, trusted=claims.email_verified)
    return users.insert(
        conn,
        email=address,
        name=claims.name,
        password_hash=None,
        role=role,
        tokens=tokens,
        image=claims.picture if claims.picture and claims.picture.startswith("https://") else None,
        email_verified=claims.email_verified,
    )
