"""``Idempotency-Key``: the same key with the same body within 24 hours gets the first answer again.

``claim`` runs inside the transaction that does the work: the first request inserts the key and goes on;
a concurrent duplicate waits on the primary key until the first commits, then finds its row. A request
whose body differs from the first one's is refused (422 ``idempotency_key_reused``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from imagify import db
from imagify.errors import IdempotencyKeyReused

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Answer:
    """An HTTP-free answer of a create operation: its status and JSON body, as a retry gets it again."""

    status: int
    body: Any


@dataclass(frozen=True)
class Earlier:
    """What the first request with this key did."""

    resource_id: UUID | None
    status: int | None
    body: Any


def request_hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(conn: db.Connection, user_id: UUID, operation: str, key: str, payload_hash: str) -> Earlier | None:
    """``None`` when this request is the first with the key (go on), else what the first one did."""
    inserted = conn.execute(
        "INSERT INTO idempotency_keys (user_id, operation, key, request_hash) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (user_id, operation, key) DO NOTHING RETURNING key",
        (user_id, operation, key, payload_hash),
    ).fetchone()
    if inserted is not None:
        return None
    row = conn.execute(
        "SELECT request_hash, resource_id, response_status, response_body FROM idempotency_keys "
        "WHERE user_id = %s AND operation = %s AND key = %s AND created_at > now() - interval '24 hours'",
        (user_id, operation, key),
    ).fetchone()
    if row is None:
        # An expired key the cleanup has not deleted yet: it is free again.
        conn.execute(
            "UPDATE idempotency_keys SET request_hash = %s, resource_id = NULL, response_status = NULL, "
            "response_body = NULL, created_at = now() WHERE user_id = %s AND operation = %s AND key = %s",
            (payload_hash, user_id, operation, key),
        )
        return None
    if row["request_hash"] != payload_hash:
        raise IdempotencyKeyReused()
    return Earlier(resource_id=row["resource_id"], status=row["response_status"], body=row["response_body"])


def link(conn: db.Connection, user_id: UUID, operation: str, key: str, resource_id: UUID) -> None:
    conn.execute(
        "UPDATE idempotency_keys SET resource_id = %s WHERE user_id = %s AND operation = %s AND key = %s",
        (resource_id, user_id, operation, key),
    )


def forget(conn: db.Connection, user_id: UUID, operation: str, key: str) -> None:
    """Free a key whose request did nothing that lasts (it failed and was undone): a retry does the work."""
    conn.execute(
        "DELETE FROM idempotency_keys WHERE user_id = %s AND operation = %s AND key = %s", (user_id, operation, key)
    )


def remember(user_id: UUID, operation: str, key: str, status: int, body: Any) -> None:
    """Keep the first answer, so a retry gets exactly it."""
    with db.transaction() as conn:
        conn.execute(
            "UPDATE idempotency_keys SET response_status = %s, response_body = %s "
            "WHERE user_id = %s AND operation = %s AND key = %s",
            (status, Jsonb(body), user_id, operation, key),
        )
