"""Password hashing with Argon2id (argon2-cffi), at or above OWASP's recommended parameters."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


@cache
def _hasher() -> PasswordHasher:
    # RFC 9106's second recommended option (64 MiB, t=3, p=4) is above OWASP's minimum for Argon2id
    # (19 MiB, t=2, p=1) while staying well under a second in a 512 MB Lambda.
    return PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32, type=Type.ID)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
