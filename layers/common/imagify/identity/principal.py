"""The caller of a request, as the authorizer found it (kept free of heavy imports: every function has it)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from imagify.errors import Unauthorized


@dataclass(frozen=True)
class Principal:
    user_id: UUID
    role: str
    plan: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 4096 or not token.isprintable():
        raise Unauthorized()
    return token
