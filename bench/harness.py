"""What the in-process benchmarks share: handlers loaded as Lambda loads them, API Gateway events with the
authorizer's context, users of their own, a state machine that ends at once, and a profile summary."""

from __future__ import annotations

import cProfile
import logging
import pstats
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from bench.pg import BenchDatabase

# A state machine that only passes: StartExecution is measured without the flow running behind it.
PASS_MACHINE = '{"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}}'  # noqa: S105


class Handlers:
    """Each function's handler, imported once with ``devstack.runtime.load_handler`` (a warm container)."""

    def __init__(self, template: Any) -> None:
        self.template = template
        self._loaded: dict[str, Callable[[Any, Any], Any]] = {}

    def handler(self, logical_id: str) -> Callable[[Any, Any], Any]:
        if logical_id not in self._loaded:
            from devstack.runtime import load_handler

            self._loaded[logical_id] = load_handler(self.template.function(logical_id))
        return self._loaded[logical_id]

    def context(self, logical_id: str) -> Any:
        from devstack.context import LambdaContext

        function = self.template.function(logical_id)
        return LambdaContext(function.name, memory_limit_in_mb=function.memory_size, timeout_s=function.timeout)

    def call(self, logical_id: str, event: Any, context: Any | None = None) -> Any:
        return self.handler(logical_id)(event, context or self.context(logical_id))


def api_event(
    method: str,
    path: str,
    resource: str,
    user: UUID,
    *,
    query: Mapping[str, str] | None = None,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    plan: str = "free",
) -> dict[str, Any]:
    """A REST proxy event as API Gateway passes it after the authorizer allowed ``user``."""
    from devstack.events import api_event as build

    sent = {"Accept": "application/json", "Authorization": "Bearer bench", **(headers or {})}
    return build(
        method,
        path,
        resource=resource,
        query=dict(query or {}),
        headers=sent,
        body=body,
        authorizer={"principalId": str(user), "userId": str(user), "role": "user", "plan": plan},
    )


def post(gateway: Any, path: str, body: Any, token: str) -> int:
    """``POST path`` with a JSON body through the local API Gateway, as a browser sends it; the status."""
    import json

    from devstack.apigw import HttpRequest

    headers = [("Authorization", f"Bearer {token}"), ("Content-Type", "application/json"), ("Accept", "*/*")]
    answer = gateway.handle(HttpRequest(method="POST", target=path, headers=headers, body=json.dumps(body).encode()))
    return int(answer.status)


def create_user(db: BenchDatabase, label: str, tokens: int) -> UUID:
    """A user made as the API makes one (the trigger records the opening balance), then topped up through
    the ledger, so ``tokens`` = the sum of the ledger."""
    from imagify.billing import ledger

    with db.connect() as conn, conn.transaction():
        row = conn.execute(
            "INSERT INTO users (email, name, tokens) VALUES (%s, %s, 50) RETURNING id",
            (f"{label}-{uuid.uuid4().hex[:8]}@bench.imagify.local", label),
        ).fetchone()
        assert row is not None
        user_id = UUID(str(row["id"]))
        if tokens != 50:
            ledger.adjust(conn, user_id, tokens - 50, admin_id=user_id, note="bench")
    return user_id


def pass_machine(stack: Any) -> str:
    """The ARN of a state machine that ends at once (created in the local stack's moto on first use)."""
    sfn = stack.aws.client("stepfunctions")
    for machine in sfn.list_state_machines()["stateMachines"]:
        if machine["name"] == "bench-pass":
            return str(machine["stateMachineArn"])
    template_machine = next(iter(stack.template.state_machines.values()))
    role = sfn.describe_state_machine(stateMachineArn=template_machine.arn)["roleArn"]
    created = sfn.create_state_machine(name="bench-pass", definition=PASS_MACHINE, roleArn=role)
    return str(created["stateMachineArn"])


def clear_caches() -> None:
    """Settings and clients are made from the environment once per cold start: make them again."""
    from imagify import clients

    clients.reset()


def quiet_logs() -> None:
    """The functions' JSON logs still get formatted (as in Lambda), but go to /dev/null, not the tables."""
    import os

    from imagify.observability import logger

    handler = logger.registered_handler
    if isinstance(handler, logging.StreamHandler):
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - for the rest of the process


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


# -- profiles ---------------------------------------------------------------------------------------------

_BUCKETS = (
    ("psycopg", "Postgres (psycopg, incl. waiting for the server)"),
    ("pydantic", "pydantic (validation, serialisation)"),
    ("aws_lambda_powertools/event_handler", "Powertools routing + request/response validation"),
    ("aws_lambda_powertools/logging", "Powertools logging"),
    ("aws_lambda_powertools/metrics", "Powertools metrics"),
    ("aws_lambda_powertools/tracing", "Powertools tracing"),
    ("aws_xray_sdk", "Powertools tracing"),
    ("aws_lambda_powertools", "Powertools (other)"),
    ("botocore", "AWS SDK + the local moto call"),
    ("boto3", "AWS SDK + the local moto call"),
    ("urllib3", "AWS SDK + the local moto call"),
    ("/PIL/", "Pillow"),
    ("imagify/", "imagify (the layer's own code)"),
    ("functions/", "imagify (the layer's own code)"),
    ("json", "json"),
    ("uuid", "uuid / hashing / base64 / re"),
    ("hashlib", "uuid / hashing / base64 / re"),
    ("base64", "uuid / hashing / base64 / re"),
    ("/re/", "uuid / hashing / base64 / re"),
)


def _bucket(filename: str, name: str) -> str:
    where = filename if filename != "~" else name
    for needle, bucket in _BUCKETS:
        if needle in where:
            return bucket
    if "socket" in where or "recv" in where or "select" in where or "poll" in where:
        return "AWS SDK + the local moto call"
    if filename == "~":
        return "other built-ins"
    return "other Python"


def profile(call: Callable[[], Any], n: int) -> tuple[dict[str, float], float, list[tuple[str, float]]]:
    """Run ``call`` ``n`` times under cProfile: ms per call by bucket (own time), the total per call, and
    the top functions by own time (ms per call)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        call()
    profiler.disable()
    data = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    buckets: dict[str, float] = defaultdict(float)
    top: list[tuple[str, float]] = []
    for (filename, line, name), (_, _, own, _, _) in data.items():
        buckets[_bucket(filename, name)] += own * 1000 / n
        short = filename.rsplit("site-packages/", 1)[-1].rsplit("/work/main/", 1)[-1]
        top.append((f"{short}:{line} {name}" if filename != "~" else name, own * 1000 / n))
    top.sort(key=lambda item: -item[1])
    return dict(buckets), sum(buckets.values()), top[:8]
