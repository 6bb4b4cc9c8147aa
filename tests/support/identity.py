"""The identity suite's environment and users: the values its ``app_env`` sets, and the signed-in user its
``make_user`` fixture inserts (``tests/integration/identity/conftest.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from imagify.models.rows import UserRow

PASSWORD = "correct horse battery staple"
SIGNING_SECRET = "k1-secret-for-tests-" + "0123456789abcdef" * 3  # 68 bytes: long enough for any HS*
JWT_KEYS = json.dumps({"signingKid": "k1", "k1": SIGNING_SECRET})
ADMIN_EMAIL = "boss@example.com"
UPLOADS_BUCKET = "imagify-test-uploads"
# What the functions are given in AWS, in this process: our signing keys (not a secret's name), no OIDC
# providers, mail to the terminal, moto's credentials, no tracing.
FUNCTION_ENV: dict[str, str | None] = {
    "JWT_KEYS": JWT_KEYS,
    "EMAIL_DELIVERY": "log",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "JWT_KEYS_SECRET_ID": None,
    "GOOGLE_CLIENT_ID": None,
    "OIDC_PROVIDERS": None,
}


@dataclass(frozen=True)
class Account:
    user: UserRow
    access_token: str
    session_token: str
    session_id: UUID

    @property
    def id(self) -> UUID:
        return self.user.id


MakeUser = Callable[..., Account]
