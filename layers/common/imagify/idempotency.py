"""``Idempotency-Key``: the same key with the same body within 24 hours gets the first answer again.

One protocol, for every create that takes the header (``POST /generations``, ``/advisor``, ``/uploads`` and
``/advisor/sessions/{id}/generate``):

1. **Claim**, inside the transaction that does the work: ``with db.transaction() as conn,
   idempotency.once(conn, user_id, OPERATION, key, payload) as attempt``. The first request with the key
   inserts it and goes on; the claim commits or rolls back with the work, so a failed attempt leaves the key
   free. A concurrent duplicate waits on the key's primary key until the first transaction ends.
2. **Replay**: when the key already holds an answer, ``attempt.replay`` is that first answer (its status and
   body, exactly as stored) and the service returns it instead of working again. Nothing is charged twice.
3. **Work**, and ``attempt.link(resource_id)`` the resource made. Work that goes on after the transaction
   (a model call, starting an execution) and fails ``attempt.forget()``s the key: a retry does the work.
4. **Remember**: the service returns ``attempt.done(result)``; the HTTP function shapes the answer and
   ``Done.remember(status, body)`` stores it (``imagify.web.answer_once`` does both).

The answers:

- same key, same body, answered before: the first answer again (status and body as stored);
- same key, another body: 422 ``idempotency_key_reused`` (``IdempotencyKeyReused``);
- same key while the first request is still being answered (claimed, no answer stored yet): 409 ``conflict``
  with ``Retry-After: 1`` (``IdempotencyKeyInFlight``), as the IETF draft "The Idempotency-Key HTTP Header
  Field" recommends for a request still being processed. The retry then gets the first answer, or, if the
  first request failed and freed the key, does the work itself;
- a claim still without an answer after ``ABANDONED_AFTER`` (longer than any API function may run) was
  abandoned by a crash between its work and its answer: the resource it made (``attempt.made``) is answered
  as if just made (so it is never made, nor charged, twice); when it made none, the key is free again;
- a key older than 24 hours is free again.

Without a key (``key=None``) ``once`` claims nothing, and every method of the attempt does nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from psycopg.types.json import Jsonb

from imagify import db
from imagify.errors import IdempotencyKeyInFlight, IdempotencyKeyReused

MAX_KEY_LENGTH = 255
T = TypeVar("T")


@dataclass(frozen=True)
class Replay:
    """The first answer to a key, as stored: a retry gets exactly it."""

    status: int
    body: Any


@dataclass(frozen=True)
class Key:
    """One caller's key for one operation."""

    user_id: UUID
    operation: str
    key: str

    def _where(self) -> tuple[UUID, str, str]:
        return (self.user_id, self.operation, self.key)


@dataclass(frozen=True)
class Done(Generic[T]):
    """What a create made this time, and the key (if any) its answer is to be remembered under."""

    result: T
    key: Key | None

    def remember(self, status: int, body: Any) -> None:
        """Keep the answer given to this first request, so a retry gets exactly it."""
        if self.key is None:
            return
        with db.transaction() as conn:
            conn.execute(
                "UPDATE idempotency_keys SET response_status = %s, response_body = %s "
                "WHERE user_id = %s AND operation = %s AND key = %s",
                (status, Jsonb(body), *self.key._where()),
            )


@dataclass(frozen=True)
class Attempt:
    """A request under a key: the first answer to replay, or the first request's own, to ``link`` and ``done``."""

    conn: db.Connection
    key: Key | None
    replay: Replay | None = None
    made: UUID | None = None  # the resource an abandoned first request made, to answer again

    def link(self, resource_id: UUID, conn: db.Connection | None = None) -> None:
        """Note the resource this request made, in the transaction that makes it (the claiming one by default)."""
        if self.key is not None:
            (conn or self.conn).execute(
                "UPDATE idempotency_keys SET resource_id = %s WHERE user_id = %s AND operation = %s AND key = %s",
                (resource_id, *self.key._where()),
            )

    def forget(self, conn: db.Connection | None = None) -> None:
        """Free the key of a request whose work was undone after the claim committed: a retry does the work.
        In ``conn``'s transaction (the one undoing the work), or in one of its own."""
        if self.key is None:
            return
        if conn is None:
            with db.transaction() as own:
                _delete(own, self.key)
        else:
            _delete(conn, self.key)

    def done(self, result: T) -> Done[T]:
        return Done(result, self.key)


def _delete(conn: db.Connection, key: Key) -> None:
    conn.execute("DELETE FROM idempotency_keys WHERE user_id = %s AND operation = %s AND key = %s", key._where())


def request_hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@contextmanager
def once(conn: db.Connection, user_id: UUID, operation: str, key: str | None, payload: Any) -> Iterator[Attempt]:
    """Claim ``key`` for this request in ``conn``'s transaction (see the module's docstring).

    Gives an attempt whose ``replay`` is the first answer when there is one, or whose ``made`` is the resource
    an abandoned first request made; raises ``IdempotencyKeyReused`` for another body and
    ``IdempotencyKeyInFlight`` while the first request is still being answered."""
    if not key:
        yield Attempt(conn, None)
        return
    claimed = Key(user_id, operation, key)
    earlier = _claim(conn, claimed, request_hash(payload))
    if isinstance(earlier, Replay):
        yield Attempt(conn, claimed, replay=earlier)
    else:
        yield Attempt(conn, claimed, made=earlier)


# Longer than any API function may run (the longest, AdvisorAsk, stops at 60 s: see template.yaml).
ABANDONED_AFTER = "2 minutes"


def _claim(conn: db.Connection, key: Key, payload_hash: str) -> Replay | UUID | None:
    """``None`` when this request is the first with the key (go on), the first answer when there is one, or the
    resource an abandoned first request made."""
    inserted = conn.execute(
        "INSERT INTO idempotency_keys (user_id, operation, key, request_hash) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (user_id, operation, key) DO NOTHING RETURNING key",
        (*key._where(), payload_hash),
    ).fetchone()
    if inserted is not None:
        return None
    row = conn.execute(
        "SELECT request_hash, response_status, response_body, resource_id, "
        "created_at < now() - %s::interval AS abandoned FROM idempotency_keys "
        "WHERE user_id = %s AND operation = %s AND key = %s AND created_at > now() - interval '24 hours' "
        "FOR UPDATE",
        (ABANDONED_AFTER, *key._where()),
    ).fetchone()
    abandoned = row is not None and row["response_status"] is None and row["abandoned"]
    if row is None or (abandoned and row["resource_id"] is None and row["request_hash"] == payload_hash):
        # An expired key the cleanup has not deleted yet, or one abandoned before it made anything: free again.
        conn.execute(
            "UPDATE idempotency_keys SET request_hash = %s, resource_id = NULL, response_status = NULL, "
            "response_body = NULL, created_at = now() WHERE user_id = %s AND operation = %s AND key = %s",
            (payload_hash, *key._where()),
        )
        return None
    if row["request_hash"] != payload_hash:
        raise IdempotencyKeyReused()
    if abandoned:
        made: UUID = row["resource_id"]
        return made
    if row["response_status"] is None:
        raise IdempotencyKeyInFlight()
    return Replay(status=row["response_status"], body=row["response_body"])
