"""Password hashing with Argon2id (argon2-cffi), at or above OWASP's recommended parameters.

Hashes written by a NextAuth credentials frontend with bcryptjs (``$2a$``/``$2b$``) verify too; the login
that proves such a password replaces its hash with Argon2id (``needs_rehash``).
"""

from __future__ import annotations

from functools import cache

import bcrypt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")


@cache
def _hasher() -> PasswordHasher:
    # RFC 9106's second recommended option (64 MiB, t=3, p=4) is above OWASP's minimum for Argon2id
    # (19 MiB, t=2, p=1) while staying well under a second in a 512 MB Lambda.
    return PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32, type=Type.ID)


@cache
def _decoy_hash() -> str:
    return _hasher().hash("decoy password that matches nothing")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no hash, an equal amount of work is done and False returned."""
    if stored_hash is None:
        # An unknown email or a password-less (OAuth) account costs the same time as a wrong password,
        # so response times do not tell which emails have accounts.
        verify_password(_decoy_hash(), password)
        return False
    if stored_hash.startswith(_BCRYPT_PREFIXES):
        # bcrypt reads at most 72 bytes; bcryptjs truncated the same way when it made the hash.
        return bcrypt.checkpw(password.encode()[:72], stored_hash.replace("$2y$", "$2b$", 1).encode())
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    if stored_hash.startswith(_BCRYPT_PREFIXES):
        return True
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
