"""The scheduled cleanup: what has expired goes, generations stuck in flight are failed and refunded, and
webhook deliveries without an execution are started.

Everything works in bounded batches (short transactions, ``FOR UPDATE SKIP LOCKED``), so it never holds a
long lock on a big table, and two runs at once share the work instead of doing it twice: a stuck
generation's conditional update and its ledger's unique refund make the reaping happen once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, LiteralString
from uuid import UUID

from imagify import clients, db, observability
from imagify.billing import ledger
from imagify.clock import utcnow
from imagify.generations import execution, queries
from imagify.settings import cleanup_settings, identity_settings, storage_settings
from imagify.webhooks import deliveries

STUCK_MESSAGE = "the generation did not finish in time; the tokens were refunded"
DEADLINE_MESSAGE = "the generation was not done by its deadline; the tokens were refunded"


@dataclass
class Counts:
    sessions: int = 0
    verification_tokens: int = 0
    login_failures: int = 0
    idempotency_keys: int = 0
    uploads: int = 0
    stuck_generations: int = 0
    webhook_events: int = 0
    webhook_deliveries_started: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# Each deletes at most %(batch)s expired rows that no concurrent run holds.
_EXPIRED: dict[str, LiteralString] = {
    "sessions": "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires < %(now)s "
    "LIMIT %(batch)s FOR UPDATE SKIP LOCKED)",
    "verification_tokens": "DELETE FROM verification_tokens WHERE ctid IN (SELECT ctid FROM verification_tokens "
    "WHERE expires < %(now)s LIMIT %(batch)s FOR UPDATE SKIP LOCKED)",
    "login_failures": "DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures "
    "WHERE failed_at < %(failures_before)s LIMIT %(batch)s FOR UPDATE SKIP LOCKED)",
    "idempotency_keys": "DELETE FROM idempotency_keys WHERE (user_id, operation, key) IN (SELECT user_id, operation, "
    "key FROM idempotency_keys WHERE created_at < %(keys_before)s LIMIT %(batch)s FOR UPDATE SKIP LOCKED)",
    # with their deliveries (ON DELETE CASCADE): the delivery log keeps 30 days
    "webhook_events": "DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events "
    "WHERE created_at < %(webhooks_before)s LIMIT %(batch)s FOR UPDATE SKIP LOCKED)",
}


def _delete_expired(counts: Counts) -> None:
    settings = cleanup_settings()
    now = utcnow()
    params = {
        "now": now,
        "batch": settings.cleanup_batch_size,
        "failures_before": now - timedelta(seconds=identity_settings().login_failure_window_s),
        "keys_before": now - timedelta(seconds=settings.idempotency_ttl_s),
        "webhooks_before": now - timedelta(seconds=settings.webhook_retention_s),
    }
    for table, statement in _EXPIRED.items():
        for _ in range(settings.cleanup_max_batches):
            with db.transaction() as conn:
                deleted = conn.execute(statement, params).rowcount
            setattr(counts, table, getattr(counts, table) + deleted)
            if deleted < settings.cleanup_batch_size:
                break


def _delete_old_uploads(counts: Counts, s3: Any | None) -> None:
    client = s3 or clients.s3()
    bucket = storage_settings().uploads_bucket
    settings = cleanup_settings()
    cutoff = utcnow() - timedelta(seconds=storage_settings().upload_ttl_s)
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket,
        Prefix="uploads/",
        PaginationConfig={"PageSize": 1000, "MaxItems": 1000 * settings.cleanup_max_batches},
    )
    for page in pages:
        old = [
            {"Key": item["Key"]}
            for item in page.get("Contents", [])
            if item["LastModified"].replace(tzinfo=None) < cutoff
        ]
        if old:
            answer = client.delete_objects(Bucket=bucket, Delete={"Objects": old, "Quiet": True})
            counts.uploads += len(old) - len(answer.get("Errors", []))


def _execution_running(generation_id: UUID, sfn: Any) -> bool:
    client = sfn or clients.stepfunctions()
    try:
        described = client.describe_execution(executionArn=execution.execution_arn(generation_id))
    except client.exceptions.ExecutionDoesNotExist:
        return False
    return bool(described["status"] == "RUNNING")


def _reap_stuck(counts: Counts, sfn: Any | None) -> None:
    settings = cleanup_settings()
    before = utcnow() - timedelta(seconds=settings.stuck_generation_age_s)
    candidates = db.fetch_all(
        "SELECT id FROM generations WHERE status IN ('pending', 'processing') AND created_at < %s "
        "ORDER BY created_at LIMIT %s",
        (before, settings.cleanup_batch_size * settings.cleanup_max_batches),
    )
    for candidate in candidates:
        generation_id = UUID(str(candidate["id"]))
        if _execution_running(generation_id, sfn):
            continue  # slow, not stuck: its own Catch will fail and refund it if it must
        with db.transaction() as conn:
            mode = queries.fail(conn, generation_id, STUCK_MESSAGE, "timed_out", retryable=True)
            if mode is None:
                continue
            refund = ledger.refund_generation(conn, generation_id, note="reaped by the cleanup")
        counts.stuck_generations += 1
        observability.count("GenerationsFailed", mode=mode, reason="stuck")
        observability.refunded(refund, "stuck")


def _reap_overdue(counts: Counts, sfn: Any | None) -> None:
    """Fail (and refund) what is still running a minute past its deadline, and stop its execution."""
    settings = cleanup_settings()
    for generation_id in queries.overdue(settings.cleanup_batch_size * settings.cleanup_max_batches):
        with db.transaction() as conn:
            mode = queries.fail(conn, generation_id, DEADLINE_MESSAGE, "timed_out", retryable=True)
            if mode is None:
                continue
            refund = ledger.refund_generation(conn, generation_id, note="past its deadline")
        execution.stop(generation_id, "past its deadline", client=sfn)
        counts.stuck_generations += 1
        observability.count("GenerationsFailed", mode=mode, reason="deadline")
        observability.refunded(refund, "deadline")


def run(*, s3: Any | None = None, sfn: Any | None = None) -> Counts:
    counts = Counts()
    _delete_expired(counts)
    _delete_old_uploads(counts, s3)
    _reap_overdue(counts, sfn)
    _reap_stuck(counts, sfn)
    # After the reaping: the generations it failed made webhook events, whose deliveries start here.
    counts.webhook_deliveries_started = deliveries.sweep(cleanup_settings().cleanup_batch_size)
    return counts
