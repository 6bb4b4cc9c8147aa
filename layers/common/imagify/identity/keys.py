"""The HMAC keys that sign and verify access tokens, loaded once per cold start."""

from __future__ import annotations

import json
from dataclasses import dataclass

from imagify import lifecycle, secrets
from imagify.clients import cached
from imagify.settings import IdentitySettings, TokenSettings, identity_settings, required

MIN_KEY_BYTES = 32  # RFC 7518 3.2: an HS256 key is at least as long as the hash output


class KeyConfigurationError(Exception):
    """The configured keys cannot be used; the function must not start with them."""


@dataclass(frozen=True)
class KeyRing:
    signing_kid: str
    keys: dict[str, bytes]

    @property
    def signing_key(self) -> bytes:
        return self.keys[self.signing_kid]


def parse(document: str) -> KeyRing:
    try:
        raw = json.loads(document)
    except json.JSONDecodeError as error:
        raise KeyConfigurationError("JWT keys are not valid JSON") from error
    if not isinstance(raw, dict) or not isinstance(raw.get("signingKid"), str):
        raise KeyConfigurationError('JWT keys need a "signingKid" naming one of the keys')
    keys = {kid: str(secret).encode() for kid, secret in raw.items() if kid != "signingKid"}
    if raw["signingKid"] not in keys:
        raise KeyConfigurationError(f"the signing key {raw['signingKid']!r} is not among the keys")
    short = [kid for kid, secret in keys.items() if len(secret) < MIN_KEY_BYTES]
    if short:
        raise KeyConfigurationError(f"JWT keys shorter than {MIN_KEY_BYTES} bytes: {short}")
    return KeyRing(signing_kid=raw["signingKid"], keys=keys)


def _load(settings: IdentitySettings) -> KeyRing:
    if settings.jwt_keys:
        return parse(settings.jwt_keys)
    if settings.jwt_keys_secret_id:
        return parse(secrets.secret(settings.jwt_keys_secret_id))
    raise KeyConfigurationError("neither JWT_KEYS nor JWT_KEYS_SECRET_ID is configured")


@cached
def key_ring() -> KeyRing:
    return _load(identity_settings())


@lifecycle.after_restore
def _reload() -> None:
    """After a SnapStart restore, a function that signs or checks tokens reads its keys before its first request."""
    if required(TokenSettings):
        key_ring()
