"""Password hashes both authenticators can verify: the backend and the Next.js frontend (Auth.js + bcryptjs).

``PASSWORD_SCHEME`` chooses the hash a new password gets: bcrypt by default (``$2b$``, cost
``BCRYPT_ROUNDS`` ≥ 12), which bcryptjs verifies (every release since 2.3.0 accepts ``$2a$``, ``$2b$`` and
``$2y$``); Argon2id (RFC 9106 parameters, above OWASP's minimum) only where the backend is the only
authenticator. Either kind verifies, whatever the setting. A login that proves a password rewrites its hash
only into the configured scheme: a bcrypt hash of a lower cost, an Argon2id hash with weaker parameters,
and a hash of the other scheme are replaced by one of the configured scheme.

bcrypt reads at most 72 bytes. A new password longer than that in UTF-8 is refused where it is set (the API
models), never truncated; signing in with one against a bcrypt hash is simply a wrong password.

argon2 is imported where an Argon2id hash is made or met, not at init: with the default scheme most functions
never need it (docs/performance.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import bcrypt

from imagify.clients import cached
from imagify.errors import InvalidInput
from imagify.settings import identity_settings

if TYPE_CHECKING:
    from argon2 import PasswordHasher

BCRYPT_MAX_BYTES = 72
_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
_DECOY_PASSWORD = "decoy password that matches nothing"  # noqa: S105 - a decoy, not a credential


def too_long_for_bcrypt(password: str) -> bool:
    return len(password.encode()) > BCRYPT_MAX_BYTES


@cached
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher, Type

    # RFC 9106's second recommended option (64 MiB, t=3, p=4) is above OWASP's minimum for Argon2id
    # (19 MiB, t=2, p=1) while staying well under a second in a 512 MB Lambda.
    return PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32, type=Type.ID)


def _is_bcrypt(stored_hash: str) -> bool:
    return stored_hash.startswith(_BCRYPT_PREFIXES)


def _bcrypt_cost(stored_hash: str) -> int | None:
    cost = stored_hash[4:6]
    return int(cost) if cost.isdigit() and stored_hash[6:7] == "$" else None


def _bcrypt(password: str, rounds: int) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds, prefix=b"2b")).decode()


def hash_password(password: str) -> str:
    """A hash of the configured scheme. A password bcrypt cannot read whole is refused, never truncated."""
    settings = identity_settings()
    if settings.password_scheme == "argon2id":  # noqa: S105 - a scheme's name
        return _hasher().hash(password)
    if too_long_for_bcrypt(password):
        raise InvalidInput(f"the password is longer than {BCRYPT_MAX_BYTES} bytes in UTF-8")
    return _bcrypt(password, settings.bcrypt_rounds)


@cached
def _decoy_hash(scheme: str, rounds: int) -> str:
    return _hasher().hash(_DECOY_PASSWORD) if scheme == "argon2id" else _bcrypt(_DECOY_PASSWORD, rounds)


def _checked(stored_hash: str, password: str) -> bool:
    if _is_bcrypt(stored_hash):
        # Python's bcrypt knows $2y$ as $2b$ (the same algorithm under PHP's name).
        normalised = stored_hash.replace("$2y$", "$2b$", 1).encode()
        secret = password.encode()
        try:
            if len(secret) > BCRYPT_MAX_BYTES:
                # bcrypt cannot read it whole, so it cannot be this password: the same work, then no.
                bcrypt.checkpw(_DECOY_PASSWORD.encode(), normalised)
                return False
            return bcrypt.checkpw(secret, normalised)
        except ValueError:  # a malformed hash matches nothing
            return False
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no hash, an equal amount of work is done and False returned."""
    if stored_hash is None:
        # An unknown email or a password-less (OAuth) account costs the time of a wrong password against a
        # hash of the configured scheme, so response times do not tell which emails have accounts.
        settings = identity_settings()
        _checked(_decoy_hash(settings.password_scheme, settings.bcrypt_rounds), password)
        return False
    return _checked(stored_hash, password)


def needs_rehash(stored_hash: str, password: str | None = None) -> bool:
    """Whether a hash just verified should be replaced by one of the configured scheme and strength.

    Given the password, False when the configured scheme could not hash it (bcrypt and over 72 bytes:
    possible only for a hash of the other scheme), so the sign-in keeps the hash it has.
    """
    settings = identity_settings()
    if settings.password_scheme == "bcrypt":  # noqa: S105 - a scheme's name
        if password is not None and too_long_for_bcrypt(password):
            return False
        if not _is_bcrypt(stored_hash):
            return True  # an Argon2id hash the frontend cannot verify: bcrypt, as the setting asks
        cost = _bcrypt_cost(stored_hash)
        return cost is None or cost < settings.bcrypt_rounds
    if _is_bcrypt(stored_hash):
        return True  # the backend is the only authenticator: bcrypt upgrades to Argon2id
    from argon2.exceptions import InvalidHashError

    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
