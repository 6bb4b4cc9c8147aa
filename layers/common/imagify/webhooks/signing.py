"""Signing a delivery the Standard Webhooks way (https://www.standardwebhooks.com), so a receiver checks it with
any of that specification's libraries rather than code of ours.

A secret is ``whsec_`` and the base64 of 32 random bytes. A delivery carries its id, its timestamp and one
``v1,`` signature per live secret: an HMAC-SHA256, keyed with the secret's bytes, of ``{id}.{timestamp}.{body}``.
While a secret is being rotated both the new and the old one sign, so a receiver still holding the old secret
keeps verifying until it switches. The timestamp is signed too, so a receiver can refuse a replayed delivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from secrets import token_bytes

PREFIX = "whsec_"
SECRET_BYTES = 32
USER_AGENT = "Imagify-Webhooks/1.0"


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and the standard base64 of 32 random bytes."""
    return PREFIX + base64.b64encode(token_bytes(SECRET_BYTES)).decode("ascii")


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One secret's ``v1,`` signature of a delivery (the body exactly as sent)."""
    if not secret.startswith(PREFIX):
        raise ValueError(f"a webhook secret starts with {PREFIX}")
    key = base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secrets: Sequence[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """A delivery's headers, signed by each secret (the new one first while an old one still signs)."""
    if not secrets:
        raise ValueError("a delivery is signed by at least one secret")
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(secret, message_id, timestamp, body) for secret in secrets),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
