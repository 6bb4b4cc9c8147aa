"""The scheduled cleanup: exactly what has expired goes; stuck generations are failed and refunded once."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import psycopg
import pytest
from moto.core.config import default_user_config
from psycopg.rows import dict_row

from imagify import cleanup, clients
from imagify.clock import utcnow
from imagify.generations import execution
from tests.support.aws import own_moto_account

LATER = timedelta(hours=2)  # the cleanup runs "two hours from now": what expires before then is expired


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    # moto's plain Step Functions backend: an execution stays RUNNING until stopped (the local stack turns
    # on moto's ASL engine process-wide, which would finish it at once).
    monkeypatch.setitem(default_user_config["stepfunctions"], "execute_state_machine", False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with own_moto_account(monkeypatch):
        s3 = boto3.client("s3", region_name="us-east-1")
        bucket = f"cleanup-test-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=bucket)
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        machine = sfn.create_state_machine(
            name=f"imagify-generation-{bucket}",
            definition=json.dumps({"StartAt": "Wait", "States": {"Wait": {"Type": "Pass", "End": True}}}),
            roleArn="arn:aws:iam::123456789012:role/test",
        )
        monkeypatch.setenv("UPLOADS_BUCKET", bucket)
        monkeypatch.setenv("UPLOAD_TTL_S", "3600")
        monkeypatch.setenv("STATE_MACHINE_ARN", machine["stateMachineArn"])
        monkeypatch.setenv("CLEANUP_BATCH_SIZE", "3")  # several batches even for a handful of rows
        clients.reset()
        yield {"s3": s3, "sfn": sfn, "bucket": bucket}


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> datetime:
    now = utcnow() + LATER
    monkeypatch.setattr(cleanup, "utcnow", lambda: now)
    return now


def _connect(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url, autocommit=True, row_factory=dict_row)


def _user(conn: psycopg.Connection[Any]) -> uuid.UUID:
    row = conn.execute("INSERT INTO users (email) VALUES (%s) RETURNING id", (f"{uuid.uuid4().hex}@x.io",)).fetchone()
    assert row is not None
    return uuid.UUID(str(row["id"]))


def _generation(conn: psycopg.Connection[Any], user_id: uuid.UUID, status: str, age: timedelta) -> uuid.UUID:
    row = conn.execute(
        "INSERT INTO generations (user_id, mode, status, prompt, created_at) "
        "VALUES (%s, 'from_prompt', %s, 'x', now() - %s) RETURNING id",
        (user_id, status, age),
    ).fetchone()
    assert row is not None
    generation_id = uuid.UUID(str(row["id"]))
    conn.execute(
        "WITH u AS (UPDATE users SET tokens = tokens - 1 WHERE id = %s RETURNING tokens) "
        "INSERT INTO token_transactions (user_id, delta, balance_after, kind, generation_id) "
        "SELECT %s, -1, tokens, 'generation_charge', %s FROM u",
        (user_id, user_id, generation_id),
    )
    return generation_id


def _ledger_consistent(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute(
        "SELECT bool_and(u.tokens = coalesce((SELECT sum(delta) FROM token_transactions t WHERE t.user_id = u.id), 0)) "
        "AS ok FROM users u"
    ).fetchone()
    assert row is not None
    return bool(row["ok"])


def test_exactly_the_expired_rows_and_uploads_go(database: str, aws: dict[str, Any], later: datetime):
    s3 = aws["s3"]
    with _connect(database) as conn:
        # Given expired and live sessions, one-time tokens, login failures and idempotency keys
        user = _user(conn)
        for expires in (later - timedelta(minutes=1), later - timedelta(days=3)) * 3:
            conn.execute(
                "INSERT INTO sessions (session_token, user_id, expires) VALUES (%s, %s, %s)",
                (uuid.uuid4().hex, user, expires),
            )
        conn.execute(
            "INSERT INTO sessions (session_token, user_id, expires) VALUES ('live', %s, %s)",
            (user, later + timedelta(days=1)),
        )
        conn.execute(
            "INSERT INTO verification_tokens VALUES ('verify-email:a', 'old', %s), ('verify-email:b', 'new', %s)",
            (later - timedelta(seconds=1), later + timedelta(hours=1)),
        )
        conn.execute(
            "INSERT INTO login_failures (email, failed_at) VALUES ('a@x.io', %s), ('b@x.io', %s)",
            (later - timedelta(hours=1), later - timedelta(minutes=1)),
        )
        conn.execute(
            "INSERT INTO idempotency_keys (user_id, operation, key, request_hash, created_at) VALUES "
            "(%s, 'op', 'old', repeat('a', 64), %s), (%s, 'op', 'new', repeat('a', 64), %s)",
            (user, later - timedelta(hours=25), user, later - timedelta(hours=23)),
        )
        # And webhook events (with a delivery each, done) older and younger than the delivery log's 30 days
        for age in (timedelta(days=31), timedelta(days=29)):
            event = conn.execute(
                "INSERT INTO webhook_events (user_id, type, subject_id, payload, created_at) "
                "VALUES (%s, 'generation.completed', gen_random_uuid(), '{}', %s) RETURNING id",
                (user, later - age),
            ).fetchone()
            assert event is not None
            conn.execute(
                "INSERT INTO webhook_deliveries (event_id, user_id, url, status) "
                "VALUES (%s, %s, 'https://x.io', 'succeeded')",
                (event["id"], user),
            )
    # And uploads: all written now, which is more than the 1 h TTL before "later"; none outside uploads/
    for key in ("uploads/u1/user_photo/a.png", "uploads/u2/item_photo/b.png"):
        s3.put_object(Bucket=aws["bucket"], Key=key, Body=b"x")
    s3.put_object(Bucket=aws["bucket"], Key="keep/not-an-upload.txt", Body=b"x")

    # When the cleanup runs
    counts = cleanup.run()

    # Then exactly the expired ones went
    assert counts.as_dict() == {
        "sessions": 6,
        "verification_tokens": 1,
        "login_failures": 1,
        "idempotency_keys": 1,
        "uploads": 2,
        "stuck_generations": 0,
        "webhook_events": 1,
        "webhook_deliveries_started": 0,
    }
    with _connect(database) as conn:
        kept = conn.execute("SELECT e.created_at FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id")
        assert [r["created_at"] for r in kept] == [later - timedelta(days=29)]
        assert [r["session_token"] for r in conn.execute("SELECT session_token FROM sessions")] == ["live"]
        assert [r["token"] for r in conn.execute("SELECT token FROM verification_tokens")] == ["new"]
        assert [r["email"] for r in conn.execute("SELECT email FROM login_failures")] == ["b@x.io"]
        assert [r["key"] for r in conn.execute("SELECT key FROM idempotency_keys")] == ["new"]
    remaining = [o["Key"] for o in s3.list_objects_v2(Bucket=aws["bucket"]).get("Contents", [])]
    assert remaining == ["keep/not-an-upload.txt"]


def test_fresh_uploads_stay(database: str, aws: dict[str, Any]):
    aws["s3"].put_object(Bucket=aws["bucket"], Key="uploads/u1/user_photo/new.png", Body=b"x")
    assert cleanup.run().uploads == 0
    assert aws["s3"].list_objects_v2(Bucket=aws["bucket"])["KeyCount"] == 1


def test_stuck_generations_are_failed_and_refunded_once_even_with_two_cleanups_at_once(
    database: str, aws: dict[str, Any]
):
    with _connect(database) as conn:
        user = _user(conn)
        # Given generations stuck for an hour (no execution), one whose execution still runs, and a fresh one
        stuck = [_generation(conn, user, status, timedelta(hours=1)) for status in ("pending", "processing") * 3]
        running = _generation(conn, user, "processing", timedelta(hours=1))
        fresh = _generation(conn, user, "pending", timedelta(minutes=1))
        done = _generation(conn, user, "completed", timedelta(hours=3))
    aws["sfn"].start_execution(stateMachineArn=execution._state_machine_arn(), name=str(running))

    # When two cleanups run at the same time
    results: list[cleanup.Counts] = []
    threads = [
        threading.Thread(target=lambda: results.append(cleanup.run(s3=aws["s3"], sfn=aws["sfn"]))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then each stuck generation was reaped by exactly one of them, with a message and one refund
    assert sum(r.stuck_generations for r in results) == len(stuck)
    with _connect(database) as conn:
        rows = {r["id"]: r for r in conn.execute("SELECT id, status, error_message FROM generations")}
        refunds = conn.execute(
            "SELECT generation_id, count(*) AS n FROM token_transactions WHERE kind = 'generation_refund' "
            "GROUP BY generation_id"
        ).fetchall()
        assert all(rows[g]["status"] == "failed" and "did not finish" in rows[g]["error_message"] for g in stuck)
        assert {r["generation_id"]: r["n"] for r in refunds} == dict.fromkeys(stuck, 1)
        # And the running, fresh and completed ones were left alone
        assert (rows[running]["status"], rows[fresh]["status"], rows[done]["status"]) == (
            "processing",
            "pending",
            "completed",
        )
        assert _ledger_consistent(conn)


def test_a_generation_still_running_past_its_deadline_is_failed_as_timed_out_and_refunded_once(
    database: str, aws: dict[str, Any]
):
    with _connect(database) as conn:
        user = _user(conn)
        # Given two fresh generations, one two minutes past its deadline, one with its deadline ahead
        late, early = (_generation(conn, user, "processing", timedelta(minutes=3)) for _ in range(2))
        for generation_id, deadline in ((late, timedelta(minutes=-2)), (early, timedelta(minutes=5))):
            conn.execute(
                "INSERT INTO generation_options (generation_id, deadline_at) VALUES (%s, now() + %s)",
                (generation_id, deadline),
            )

    # When the cleanup runs (twice: the second finds nothing more to do)
    first, second = cleanup.run(s3=aws["s3"], sfn=aws["sfn"]), cleanup.run(s3=aws["s3"], sfn=aws["sfn"])

    # Then the late one failed as timed out, retryable, and the early one runs on
    with _connect(database) as conn:
        failed = conn.execute(
            "SELECT g.id, g.status, f.error_code, f.retryable FROM generations g "
            "LEFT JOIN generation_failures f ON f.generation_id = g.id WHERE g.id = ANY(%s) ORDER BY g.id",
            ([late, early],),
        ).fetchall()
    by_id = {row["id"]: (row["status"], row["error_code"], row["retryable"]) for row in failed}
    assert by_id == {late: ("failed", "timed_out", True), early: ("processing", None, None)}
    assert (first.stuck_generations, second.stuck_generations) == (1, 0)
