"""The flow's overhead: generations run end to end through the local stack (``POST /generations``'s handler,
then moto's Step Functions engine running MarkProcessing -> Generate -> MarkCompleted, each task a real
handler), with the offline image model, one after the other.

Reported per generation: the time from the request to ``completed``, what each step's handler took, the
model itself (drawing the preview and ``media.compact``), what is left for the engine, and every
database round trip the handlers made (statements, transaction commands, connections), per function.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from bench import capture, harness, stats
from bench.pg import BenchDatabase
from bench.report import Section

TASKS = ("GenerationMarkProcessingFunction", "GenerationGenerateFunction", "GenerationMarkCompletedFunction")
CREATE = "GenerationsCreateFunction"


@dataclass
class FlowResult:
    n: int
    end_to_end_ms: list[float]
    create_ms: list[float]
    handler_ms: dict[str, list[float]]
    model_ms: list[float]
    compact_ms: list[float]
    round_trips: dict[str, Counter[str]]
    statements: dict[str, Counter[str]] = field(default_factory=dict)
    failed: int = 0


def _timing(target: Any, name: str, sink: list[float]) -> Any:
    original = getattr(target, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            sink.append((time.perf_counter() - started) * 1000)

    setattr(target, name, timed)
    return original


def run(stack: Any, db: BenchDatabase, n: int, say: Any) -> FlowResult:
    import os

    from imagify import media
    from imagify.ai.images import offline

    os.environ["IMAGE_PROVIDER"] = "offline"
    os.environ["STATE_MACHINE_ARN"] = stack.template.state_machines["GenerationStateMachine"].arn
    harness.clear_caches()
    user = harness.create_user(db, "flow", 100_000)
    handlers = harness.Handlers(stack.template)
    create = handlers.handler(CREATE)
    model_ms: list[float] = []
    compact_ms: list[float] = []
    restore = [
        (offline.OfflineImageModel, "generate", _timing(offline.OfflineImageModel, "generate", model_ms)),
        (media, "compact", _timing(media, "compact", compact_ms)),
    ]
    end_to_end, create_ms = [], []
    failed = 0
    try:
        with (
            capture.labelled_runtime() as durations,
            capture.capturing() as seen,
            db.connect() as poll,
        ):
            for i in range(n + 2):  # the first two warm up the task handlers (their imports are a cold start)
                if i == 2:
                    seen.clear()
                    durations.clear()
                    model_ms.clear()
                    compact_ms.clear()
                event = harness.api_event(
                    "POST", "/generations", "/generations", user, body={"mode": "from_prompt", "prompt": f"look {i}"}
                )
                context = handlers.context(CREATE)
                started = time.perf_counter()
                with capture.label(CREATE):
                    response = create(event, context)
                created = time.perf_counter()
                assert response["statusCode"] == 202, response
                generation = UUID(json.loads(response["body"])["id"])
                status = _wait(poll, generation)
                done = time.perf_counter()
                if status != "completed":
                    failed += 1
                if i >= 2:
                    end_to_end.append((done - started) * 1000)
                    create_ms.append((created - started) * 1000)
                    if (i - 1) % 10 == 0:
                        say(f"  flow: {i - 1}/{n} generations")
                _settle(poll, stack)
            records = seen.snapshot()
    finally:
        for target, name, original in restore:
            setattr(target, name, original)
    per_label: dict[str, Counter[str]] = {}
    statements: dict[str, Counter[str]] = {}
    for record in records:
        if record.label == "-":
            continue  # the benchmark's own polling
        per_label.setdefault(record.label, Counter())[record.kind] += 1
        if record.kind == "statement":
            statements.setdefault(record.label, Counter())[" ".join(record.text.split())[:60]] += 1
    return FlowResult(
        n=n,
        end_to_end_ms=end_to_end,
        create_ms=create_ms,
        handler_ms={k: [v * 1000 for v in vs] for k, vs in durations.items()},
        model_ms=model_ms,
        compact_ms=compact_ms,
        round_trips=per_label,
        statements=statements,
        failed=failed,
    )


def _wait(poll: Any, generation: UUID, timeout_s: float = 60) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        row = poll.execute("SELECT status FROM generations WHERE id = %s", (generation,)).fetchone()
        status = str(row["status"])
        if status in ("completed", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(0.002)


def _settle(poll: Any, stack: Any, timeout_s: float = 10) -> None:
    """Wait until the execution has ended (its last task returned), so the next generation starts alone."""
    sfn = stack.aws.client("stepfunctions")
    arn = stack.template.state_machines["GenerationStateMachine"].arn
    deadline = time.monotonic() + timeout_s
    while sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]:
        if time.monotonic() > deadline:
            return
        time.sleep(0.005)


def section(result: FlowResult) -> Section:
    out = Section("flow", "The generation flow's overhead")
    model = [m + c for m, c in zip(result.model_ms, result.compact_ms, strict=False)]
    e2e = stats.summarize(result.end_to_end_ms)
    baseline = stats.summarize(model) if model else None
    out.paragraph(
        f"{result.n} generations (`from_prompt`) one after the other, each from `POST /generations`'s handler "
        "to `completed` in the database, through the local stack's Step Functions engine (moto) and the "
        "real task handlers, with the offline image model (it draws a 768 px preview; no network). "
        f"Baseline: the model alone (drawing + `media.compact`). Failed: {result.failed}."
    )
    rows = [
        stats.timing_row("request -> completed", e2e, baseline),
        stats.timing_row("POST /generations handler", stats.summarize(result.create_ms)),
    ]
    handler_total = 0.0
    for task in TASKS:
        values = result.handler_ms.get(task, [])
        if values:
            summary = stats.summarize(values)
            handler_total += summary.median
            rows.append(stats.timing_row(f"{task.removesuffix('Function')} handler", summary))
    if result.model_ms:
        rows.append(stats.timing_row("  of which the offline model draws", stats.summarize(result.model_ms)))
    if result.compact_ms:
        rows.append(stats.timing_row("  of which media.compact (WebP)", stats.summarize(result.compact_ms)))
    if baseline:
        rows.append(stats.timing_row("baseline: model + compact", baseline, baseline))
    out.table(stats.markdown_table(stats.TIMING_HEADER, rows))
    engine = e2e.median - stats.summarize(result.create_ms).median - handler_total
    out.paragraph(
        f"Left for the engine between the steps (median request->completed minus the medians of the four "
        f"handlers): {stats.ms(engine)} ms per generation, moto's ASL interpreter and its Lambda calls "
        "over HTTP (in AWS this share is Step Functions' own and is not measured here)."
    )
    per_generation = []
    totals: Counter[str] = Counter()
    for label in (CREATE, *TASKS):
        counts = result.round_trips.get(label, Counter())
        row = {kind: counts.get(kind, 0) / result.n for kind in ("statement", "transaction", "connect")}
        totals.update(counts)
        per_generation.append(
            [
                label.removesuffix("Function"),
                f"{row['statement']:.1f}",
                f"{row['transaction']:.1f}",
                f"{row['connect']:.2f}",
                f"{row['statement'] + row['transaction'] + row['connect']:.1f}",
            ]
        )
    flow_only = (
        sum(
            result.round_trips.get(t, Counter()).total() - result.round_trips.get(t, Counter())["connect"]
            for t in TASKS
        )
        / result.n
    )
    per_generation.append(
        [
            "**per generation**",
            f"{totals['statement'] / result.n:.1f}",
            f"{totals['transaction'] / result.n:.1f}",
            f"{totals['connect'] / result.n:.2f}",
            f"{totals.total() / result.n:.1f}",
        ]
    )
    out.paragraph(
        "Database round trips per generation (counted inside the process by wrapping psycopg: statements, "
        "`BEGIN`/`COMMIT`, new connections), by function; the state machine's three tasks add "
        f"{flow_only:.1f} besides connecting. The connects are the local stack's: moto runs each Lambda call "
        "of an execution on a new thread, and the layer keeps one connection per thread; a warm Lambda "
        "environment reuses its connection."
    )
    out.table(
        stats.markdown_table(["function", "statements", "BEGIN/COMMIT", "connects", "round trips"], per_generation)
    )
    for label in (CREATE, *TASKS):
        found = result.statements.get(label)
        if found:
            listed = "; ".join(f"`{text}` x{count / result.n:.0f}" for text, count in found.items())
            out.add(f"- {label.removesuffix('Function')}: {listed}")
    out.add("")
    return out


# -- a batch of looks ---------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    n: int
    count: int
    create_ms: list[float]
    first_ms: list[float]
    last_ms: list[float]
    singles_ms: list[float]
    round_trips: dict[str, Counter[str]]
    failed: int = 0


def run_batches(stack: Any, db: BenchDatabase, n: int, say: Any, *, count: int = 4) -> BatchResult:
    """``n`` requests of ``count`` looks (``"count": 4``) one after the other, each timed from the request to its
    first and its last look completed; then ``count`` single requests sent back to back, for comparison."""
    import os

    os.environ["IMAGE_PROVIDER"] = "offline"
    os.environ["FREE_MAX_IN_FLIGHT"] = str(count)
    os.environ["STATE_MACHINE_ARN"] = stack.template.state_machines["GenerationStateMachine"].arn
    harness.clear_caches()
    user = harness.create_user(db, "batch", 100_000)
    handlers = harness.Handlers(stack.template)
    create = handlers.handler(CREATE)
    result = BatchResult(n, count, [], [], [], [], {})

    def post(body: dict[str, Any]) -> list[UUID]:
        event = harness.api_event("POST", "/generations", "/generations", user, body=body)
        with capture.label(CREATE):
            response = create(event, handlers.context(CREATE))
        assert response["statusCode"] == 202, response
        return [UUID(look["id"]) for look in json.loads(response["body"])["looks"]]

    try:
        with capture.labelled_runtime(), capture.capturing() as seen, db.connect() as poll:
            for i in range(n + 1):  # the first warms the task handlers up
                if i == 1:
                    seen.clear()
                started = time.perf_counter()
                looks = post({"mode": "from_prompt", "prompt": f"look {i}", "count": count})
                created = time.perf_counter()
                ended = [_wait_ended(poll, look, started) for look in looks]
                if i >= 1:
                    result.create_ms.append((created - started) * 1000)
                    result.first_ms.append(min(ended))
                    result.last_ms.append(max(ended))
                    result.failed += sum(1 for look in looks if _wait(poll, look) != "completed")
                _settle(poll, stack)
            result.round_trips["batch"] = seen.per_label().get(CREATE, Counter())
            seen.clear()
            for i in range(n):
                started = time.perf_counter()
                singles = [post({"mode": "from_prompt", "prompt": f"single {i}.{k}"})[0] for k in range(count)]
                result.singles_ms.append(max(_wait_ended(poll, look, started) for look in singles))
                _settle(poll, stack)
            result.round_trips["singles"] = seen.per_label().get(CREATE, Counter())
            say(f"  batch: {n} batches of {count}")
    finally:
        os.environ.pop("FREE_MAX_IN_FLIGHT", None)
        harness.clear_caches()
    return result


def _wait_ended(poll: Any, generation: UUID, since: float) -> float:
    """Milliseconds from ``since`` until the generation was completed or failed."""
    _wait(poll, generation)
    return (time.perf_counter() - since) * 1000


def batch_section(result: BatchResult) -> Section:
    out = Section("batch", "A batch of looks")
    out.paragraph(
        f'{result.n} requests of `"count": {result.count}` (`from_prompt`), one after the other, through '
        "`POST /generations`'s handler and the local stack's Step Functions engine with the offline image model, "
        f"one execution per look; then {result.count} single requests sent back to back, {result.n} times, for "
        "comparison. Times from the request. The local runtime runs one invocation of a function at a time (one "
        "Lambda environment), so the looks' Generate tasks queue here where AWS runs them side by side: the time "
        f"to the last look is an upper bound. Looks that failed: {result.failed}."
    )
    rows = [
        stats.timing_row("POST /generations with count 4 (handler)", stats.summarize(result.create_ms)),
        stats.timing_row("request -> first look completed", stats.summarize(result.first_ms)),
        stats.timing_row("request -> last look completed", stats.summarize(result.last_ms)),
        stats.timing_row(f"{result.count} single requests -> last completed", stats.summarize(result.singles_ms)),
    ]
    out.table(stats.markdown_table(stats.TIMING_HEADER, rows))
    trips = []
    for name, key, requests in (
        (f"one request of {result.count} looks", "batch", 1),
        (f"{result.count} requests of one look", "singles", result.count),
    ):
        trips.append([name, requests, f"{result.round_trips.get(key, Counter()).total() / result.n:.1f}"])
    out.paragraph(
        f"Database round trips of `POST /generations` for {result.count} looks (statements, transaction commands "
        "and connects): one transaction charges them all (the user's row lock and the in-flight count once, then "
        "each look's row, options and charge), then one read of the looks. The state machine's tasks then make "
        "each look's own, as for a single generation."
    )
    out.table(stats.markdown_table(["POST /generations", "HTTP requests", "round trips"], trips))
    return out
