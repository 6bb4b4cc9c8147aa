"""Sending what a generation's end made: one delivery per event and endpoint, retried for a day.

The database is the record (``migrations/0016``: a trigger makes the event and its deliveries in the
transaction that ends the generation); a Step Functions execution per delivery is the clock
(``statemachine/webhook_delivery.asl.json``): it calls :func:`attempt`, which sends once and says when to
try again, waits until then, and calls it again until it says done. Nothing is lost when a function crashes:
the execution retries the task, and the cleanup starts again any pending delivery whose execution is gone
(:func:`sweep`). Two executions of one delivery cannot send at once: an attempt holds a lease on its row.

Each attempt of an event sends the same ``webhook-id`` and body (receivers de-duplicate by the id), with a
fresh ``webhook-timestamp`` and the signatures of the endpoint's secrets. Delivery never touches the
generation: it runs after the generation's end is committed, and its failures are only the log's.
"""

from __future__ import annotations

import json
import random
import time
from datetime import datetime, timedelta
from typing import Any, LiteralString
from uuid import UUID

from psycopg import sql

from imagify import clients, db, email, pagination
from imagify.errors import Conflict, NotFound
from imagify.observability import logger
from imagify.settings import webhook_settings
from imagify.webhooks import signing, transport
from imagify.webhooks.endpoints import NOT_FOUND

_LOG = sql.SQL(
    "SELECT * FROM (SELECT d.id, d.event_id, e.type AS event_type, e.subject_id, coalesce(d.url, w.url) AS url, "
    "d.status, d.attempts, "
    "d.last_status_code, d.last_error, CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at, "
    "d.delivered_at, d.created_at FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id "
    "LEFT JOIN webhook_endpoints w ON w.id = d.endpoint_id "
    "WHERE d.user_id = %(user_id)s AND {channel}) AS log WHERE true"
)


def _channel(endpoint_id: UUID | None) -> sql.Composable:
    """The deliveries of an endpoint, or (``None``) of the account's one-off URLs."""
    return sql.SQL("d.endpoint_id = %(endpoint_id)s" if endpoint_id else "d.endpoint_id IS NULL")


def _require_endpoint(user_id: UUID, endpoint_id: UUID | None) -> None:
    if endpoint_id and not db.fetch_one(
        "SELECT 1 FROM webhook_endpoints WHERE id = %s AND user_id = %s", (endpoint_id, user_id)
    ):
        raise NotFound(NOT_FOUND)


def page(
    user_id: UUID, endpoint_id: UUID | None, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """An endpoint's delivery log (``None``: the one-off URLs'), newest first."""
    _require_endpoint(user_id, endpoint_id)
    query = _LOG.format(channel=_channel(endpoint_id))
    return pagination.page(query, {"user_id": user_id, "endpoint_id": endpoint_id}, limit=limit, cursor=cursor)


def redeliver(user_id: UUID, endpoint_id: UUID | None, delivery_id: UUID) -> dict[str, Any]:
    """Send a delivery that succeeded or gave up again, with a new day of retries; the same event id."""
    _require_endpoint(user_id, endpoint_id)
    params = {"user_id": user_id, "endpoint_id": endpoint_id, "id": delivery_id}
    with db.transaction() as conn:
        found = conn.execute(
            sql.SQL(
                "SELECT d.status, w.enabled FROM webhook_deliveries d "
                "LEFT JOIN webhook_endpoints w ON w.id = d.endpoint_id "
                "WHERE d.id = %(id)s AND d.user_id = %(user_id)s AND {} FOR UPDATE OF d"
            ).format(_channel(endpoint_id)),
            params,
        ).fetchone()
        if found is None:
            raise NotFound("delivery not found")
        if found["status"] == "pending":
            raise Conflict("this delivery is still being attempted")
        if found["enabled"] is False:
            raise Conflict("the endpoint is disabled: enable it first")
        conn.execute(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), give_up_at = NULL, "
            "leased_until = NULL, dispatched_at = now(), updated_at = now() WHERE id = %(id)s",
            params,
        )
    _start(delivery_id)
    row = db.fetch_one(_LOG.format(channel=_channel(endpoint_id)) + sql.SQL(" AND id = %(id)s"), params)
    assert row is not None
    return row


# -- sending ------------------------------------------------------------------------------------------------


def attempt(delivery_id: UUID) -> dict[str, Any]:
    """One attempt at a delivery, for its execution: ``{"done": true}`` when nothing is left to do, else when
    to try again (``nextAttemptAt``, RFC 3339, whole seconds). An early call (a duplicate execution, a
    redelivery's) sends nothing and says when the delivery is due."""
    settings = webhook_settings()
    with db.transaction() as conn:
        row = conn.execute(
            "SELECT d.status, d.endpoint_id, d.url, d.next_attempt_at, d.leased_until, d.user_id, e.id AS event_id, "
            "e.payload, w.url AS endpoint_url, w.enabled, now()::timestamp AS now, "
            "coalesce(w.secret, s.secret) AS secret, "
            "CASE WHEN coalesce(w.previous_secret_expires_at, s.previous_secret_expires_at) > now() "
            "THEN coalesce(w.previous_secret, s.previous_secret) END AS previous_secret "
            "FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id "
            "LEFT JOIN webhook_endpoints w ON w.id = d.endpoint_id "
            "LEFT JOIN webhook_signing_secrets s ON d.endpoint_id IS NULL AND s.user_id = d.user_id "
            "WHERE d.id = %s FOR UPDATE OF d",
            (delivery_id,),
        ).fetchone()
        if row is None or row["status"] != "pending":
            return _done(delivery_id)
        refusal = "the endpoint is disabled" if row["enabled"] is False else None
        if row["secret"] is None:
            refusal = "the account has no webhook signing secret"
        if refusal:
            _give_up(conn, delivery_id, refusal)
            return _done(delivery_id)
        due = max(row["next_attempt_at"] or row["now"], row["leased_until"] or row["now"])
        if due > row["now"]:
            return _again(delivery_id, due)
        claimed = conn.execute(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, updated_at = now(), "
            "leased_until = now() + make_interval(secs => %(lease)s), "
            "give_up_at = coalesce(give_up_at, now() + make_interval(secs => %(retry_for)s)) WHERE id = %(id)s "
            "RETURNING attempts",
            {"id": delivery_id, "lease": settings.webhook_timeout_s + 30, "retry_for": settings.webhook_retry_for_s},
        ).fetchone()
        assert claimed is not None  # (the row is locked)
    body = json.dumps(row["payload"], separators=(",", ":"), ensure_ascii=False).encode()
    secrets = [row["secret"], *([row["previous_secret"]] if row["previous_secret"] else [])]
    headers = signing.headers(secrets, str(row["event_id"]), int(time.time()), body)
    outcome = transport.post(
        row["endpoint_url"] or row["url"],
        body,
        headers,
        timeout_s=settings.webhook_timeout_s,
        allow_loopback_http=settings.webhook_allow_loopback_http,
    )
    return _record(delivery_id, row["endpoint_id"], claimed["attempts"], outcome)


def _record(delivery_id: UUID, endpoint_id: UUID | None, attempts: int, outcome: transport.Outcome) -> dict[str, Any]:
    """Write an attempt's outcome (the ``attempts``-th): delivered, or when to try again, or given up."""
    settings = webhook_settings()
    disabled: dict[str, Any] | None = None
    with db.transaction() as conn:
        if outcome.ok:
            conn.execute(
                "UPDATE webhook_deliveries SET status = 'succeeded', last_status_code = %s, last_error = NULL, "
                "delivered_at = now(), next_attempt_at = NULL, leased_until = NULL, updated_at = now() "
                "WHERE id = %s AND status = 'pending'",
                (outcome.status, delivery_id),
            )
            if endpoint_id is not None:
                conn.execute(
                    "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = %s AND failing_since IS NOT NULL",
                    (endpoint_id,),
                )
            return _done(delivery_id)
        schedule = settings.webhook_retry_schedule_s
        delay = schedule[min(attempts, len(schedule)) - 1]
        delay *= random.uniform(0.8, 1.2)  # noqa: S311 (jitter, so a receiver's failures do not come back in step)
        # Past its day of retries, the delivery gives up instead of waiting once more.
        after = conn.execute(
            "UPDATE webhook_deliveries d SET last_status_code = %(code)s, last_error = %(error)s, "
            "leased_until = NULL, updated_at = now(), "
            "status = CASE WHEN n.at > d.give_up_at THEN 'failed' ELSE 'pending' END, "
            "next_attempt_at = CASE WHEN n.at > d.give_up_at THEN NULL ELSE n.at END "
            "FROM (SELECT now() + make_interval(secs => %(delay)s) AS at) n "
            "WHERE d.id = %(id)s AND d.status = 'pending' RETURNING d.status, d.next_attempt_at",
            {"id": delivery_id, "code": outcome.status, "error": outcome.error, "delay": delay},
        ).fetchone()
        if endpoint_id is not None:
            disabled = _note_failure(conn, endpoint_id, settings.webhook_disable_after_s)
    if disabled:
        _tell_owner(disabled)
    if after is None or after["status"] != "pending" or disabled:
        return _done(delivery_id)
    return _again(delivery_id, after["next_attempt_at"])


def _note_failure(conn: db.Connection, endpoint_id: UUID, disable_after_s: float) -> dict[str, Any] | None:
    """Mark the endpoint failing since its first failure in a row; disable it (and give up its pending
    deliveries) once that is ``disable_after_s`` ago. Gives its owner and URL when it was disabled now."""
    failing = conn.execute(
        "UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now()) WHERE id = %s "
        "RETURNING enabled, failing_since <= now() - make_interval(secs => %s) AS too_long",
        (endpoint_id, disable_after_s),
    ).fetchone()
    if failing is None or not failing["enabled"] or not failing["too_long"]:
        return None
    owner = conn.execute(
        "UPDATE webhook_endpoints w SET enabled = false, disabled_reason = 'failing', updated_at = now() "
        "FROM users u WHERE w.id = %s AND u.id = w.user_id RETURNING u.email, u.name, w.url, w.failing_since",
        (endpoint_id,),
    ).fetchone()
    conn.execute(
        "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, updated_at = now(), "
        "last_error = coalesce(last_error, 'the endpoint was disabled') WHERE endpoint_id = %s AND status = 'pending'",
        (endpoint_id,),
    )
    return owner


def _tell_owner(disabled: dict[str, Any]) -> None:
    """Mail the owner of an endpoint we disabled (a failure to mail is logged: the endpoint stays disabled)."""
    try:
        email.send(
            disabled["email"],
            "Imagify disabled one of your webhook endpoints",
            f"Every delivery to {disabled['url']} has failed since {disabled['failing_since']:%Y-%m-%d %H:%M} UTC, "
            "so we stopped sending to it, and it gets no new events until it is enabled again.\n\nFix the "
            'receiver, then enable the endpoint (PATCH /webhooks/{id} with {"enabled": true}); the deliveries that '
            "failed before it was disabled can be sent again from its delivery log (redeliver).\n",
        )
    except Exception as error:
        logger.warning("could not mail the owner of a disabled webhook endpoint", extra={"reason": str(error)})


def _give_up(conn: db.Connection, delivery_id: UUID, why: str) -> None:
    conn.execute(
        "UPDATE webhook_deliveries SET status = 'failed', last_error = %s, next_attempt_at = NULL, "
        "leased_until = NULL, updated_at = now() WHERE id = %s",
        (why, delivery_id),
    )


def _done(delivery_id: UUID) -> dict[str, Any]:
    return {"deliveryId": str(delivery_id), "done": True}


def _again(delivery_id: UUID, at: datetime) -> dict[str, Any]:
    """Try again at ``at`` (naive UTC), rounded up to the second, as the state machine's Wait reads it."""
    whole = at.replace(microsecond=0) + (timedelta(seconds=1) if at.microsecond else timedelta())
    return {"deliveryId": str(delivery_id), "done": False, "nextAttemptAt": whole.strftime("%Y-%m-%dT%H:%M:%SZ")}


# -- starting deliveries ------------------------------------------------------------------------------------


def notify(generation_id: UUID, *, batch_id: UUID | None = None) -> int:
    """Start the deliveries the end of ``generation_id`` made (its event's, and its batch's when it was the
    batch's last look: ``batch_id``, else the batch its options name); how many. Never raises: what it could
    not start, the cleanup's :func:`sweep` does."""
    try:
        claimed = _claim(
            "UPDATE webhook_deliveries SET dispatched_at = now() WHERE id IN ("
            "SELECT d.id FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id "
            "WHERE d.status = 'pending' AND d.dispatched_at IS NULL AND (e.type, e.subject_id) IN "
            "(('generation.completed', %(id)s), ('generation.failed', %(id)s), "
            "('batch.completed', coalesce(%(batch)s, "
            "(SELECT batch_id FROM generation_options WHERE generation_id = %(id)s)))) "
            "FOR UPDATE OF d SKIP LOCKED) RETURNING id",
            {"id": generation_id, "batch": batch_id},
        )
        return sum(_start(row["id"]) for row in claimed)
    except Exception as error:
        logger.warning(
            "could not start webhook deliveries", extra={"generation_id": str(generation_id), "reason": str(error)}
        )
        return 0


def sweep(limit: int, *, grace_s: float = 600) -> int:
    """Start every pending delivery that has no execution: never started (an event another writer's end
    made, or a start that failed), or overdue by ``grace_s`` with no attempt in flight (its execution died)."""
    claimed = _claim(
        "UPDATE webhook_deliveries SET dispatched_at = now(), next_attempt_at = now() WHERE id IN ("
        "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND (dispatched_at IS NULL OR "
        "(next_attempt_at < now() - make_interval(secs => %s) AND (leased_until IS NULL OR leased_until < now()))) "
        "ORDER BY next_attempt_at LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id",
        (grace_s, limit),
    )
    return sum(_start(row["id"]) for row in claimed)


def _claim(statement: LiteralString, params: dict[str, Any] | tuple[Any, ...]) -> list[Any]:
    with db.transaction() as conn:
        return conn.execute(statement, params).fetchall()


def _start(delivery_id: UUID) -> bool:
    """Start an execution for a delivery (each its own name: a redelivery is a new one); False if it could not."""
    arn = webhook_settings().webhook_state_machine_arn
    try:
        if not arn:
            raise RuntimeError("WEBHOOK_STATE_MACHINE_ARN is not configured")
        clients.stepfunctions().start_execution(
            stateMachineArn=arn,
            name=f"{delivery_id}-{time.time_ns() // 1_000_000}",
            input=json.dumps({"deliveryId": str(delivery_id)}),
        )
        return True
    except Exception as error:
        logger.warning(
            "could not start a webhook delivery", extra={"delivery_id": str(delivery_id), "reason": str(error)}
        )
        return False
