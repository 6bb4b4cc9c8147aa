"""Warm latency at scale: each endpoint's handler, loaded once, called in-process with the API Gateway event
its route gets (the authorizer's context included), against a small and then a full-size database.

The baseline of an endpoint is the bare SQL it runs, through psycopg on a connection of its own: for the
reads, exactly the statements the handler sent (captured, then replayed); for the writes, the same
statements written out. Handler and baseline alternate, so a busy moment of the machine hits both.
Every statement of every endpoint is then run under ``EXPLAIN (ANALYZE, BUFFERS)`` to show that no large
table is read sequentially, with the statements the triggers and foreign keys run on its behalf.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from bench import capture, harness, seed, stats
from bench.pg import BenchDatabase
from bench.report import Section

Conn = Any


@dataclass
class Case:
    name: str
    function: str
    event: Callable[[int], dict[str, Any]]
    expect: int
    baseline: Callable[[int, Conn], Any] | None = None
    after: Callable[[int, dict[str, Any]], None] | None = None
    baseline_after: Callable[[int, Any], None] | None = None
    writes: bool = False


@dataclass
class Measured:
    case: str
    stage: str
    handler: stats.Summary
    baseline: stats.Summary | None
    response_bytes: int
    round_trips: int = 0  # statements and BEGIN/COMMIT the handler sent (each one waits for the server)


@dataclass
class Scene:
    """The ids the cases work on, read from the seeded database."""

    db: BenchDatabase
    writer: UUID
    hot_images: list[UUID]
    hot_photo_items: list[UUID]
    deep_cursor: str
    created: list[UUID] = field(default_factory=list)
    baseline_created: list[UUID] = field(default_factory=list)
    saved_items: list[UUID] = field(default_factory=list)
    baseline_saved: list[UUID] = field(default_factory=list)


def scene(db: BenchDatabase, writer: UUID) -> Scene:
    from imagify import pagination

    hot = seed.HOT_USER
    with db.connect() as conn:
        images = conn.execute(
            "SELECT id FROM generations WHERE user_id = %s AND result_image_base64 IS NOT NULL ORDER BY created_at",
            (hot,),
        ).fetchall()
        photos = conn.execute(
            "SELECT id FROM wardrobe_items WHERE user_id = %s AND length(image_base64) > 40000 ORDER BY created_at",
            (hot,),
        ).fetchall()
        deep = conn.execute(
            "SELECT created_at, id FROM generations WHERE user_id = %s ORDER BY created_at DESC, id DESC "
            "OFFSET 199 LIMIT 1",
            (hot,),
        ).fetchone()
    assert deep is not None, "the hot user was not seeded"
    assert images, "the hot user has no generation with an image"
    assert photos, "the hot user has no wardrobe photo"
    return Scene(
        db=db,
        writer=writer,
        hot_images=[r["id"] for r in images],
        hot_photo_items=[r["id"] for r in photos],
        deep_cursor=pagination.encode(deep["created_at"], deep["id"]),
    )


def _body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"]) if response.get("body") else None


def _replay(statements: list[capture.Statement]) -> Callable[[int, Conn], Any]:
    def run(_: int, conn: Conn) -> Any:
        for statement in statements:
            conn.execute(statement.query, statement.params).fetchall()

    return run


def cases(sc: Scene, item_uri: str) -> list[Case]:
    from imagify.billing import ledger
    from imagify.generations import instructions, queries

    hot = seed.HOT_USER

    def complete(generation_id: Any) -> None:
        with sc.db.connect() as conn:
            conn.execute("UPDATE generations SET status = 'completed' WHERE id = %s", (generation_id,))

    def after_create(_: int, response: dict[str, Any]) -> None:
        generation_id = UUID(_body(response)["id"])
        sc.created.append(generation_id)
        complete(generation_id)

    def create_sql(i: int, conn: Conn) -> UUID:
        text = f"a bench look {i}"
        with conn.transaction():
            conn.execute("SELECT tokens FROM users WHERE id = %s FOR UPDATE", (sc.writer,)).fetchone()
            conn.execute(
                "SELECT count(*) AS n FROM generations WHERE user_id = %s AND status IN ('pending', 'processing')",
                (sc.writer,),
            ).fetchone()
            row = conn.execute(
                "INSERT INTO generations (user_id, mode, prompt, user_photo_url, item_photo_url, ai_prompt_used) "
                "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                (sc.writer, "from_prompt", text, None, None, instructions.instruction("from_prompt", text)),
            ).fetchone()
            generation_id = row["id"]
            conn.execute(
                ledger._APPLY,
                {
                    "user_id": sc.writer,
                    "delta": -1,
                    "kind": "generation_charge",
                    "generation_id": generation_id,
                    "actor_id": None,
                    "note": None,
                },
            ).fetchone()
        with conn.transaction():
            detail = queries._DETAIL + sql.SQL(
                " WHERE g.id = %(id)s AND (%(user_id)s::uuid IS NULL OR g.user_id = %(user_id)s)"
            )
            conn.execute(detail, {"id": generation_id, "user_id": None}).fetchone()
        return UUID(str(generation_id))

    def after_create_sql(_: int, generation_id: UUID) -> None:
        sc.baseline_created.append(generation_id)
        complete(generation_id)

    def item_sql(i: int, conn: Conn) -> None:
        with conn.transaction():
            conn.execute(
                "INSERT INTO wardrobe_items (user_id, generation_id, title, description, image_base64, "
                "collection_id, tags) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id, user_id, generation_id, "
                "title, description, image_base64, collection_id, tags, created_at, updated_at",
                (sc.writer, None, f"bench item {i}", None, item_uri, None, ["bench"]),
            ).fetchone()

    def save_event(i: int) -> dict[str, Any]:
        generation = sc.hot_images[i % len(sc.hot_images)]
        return harness.api_event(
            "POST",
            f"/generations/{generation}/wardrobe",
            "/generations/{generation_id}/wardrobe",
            hot,
            body={"title": f"saved {i}", "tags": ["bench"]},
        )

    def save_sql(i: int, conn: Conn) -> UUID:
        generation = sc.hot_images[(i + 7) % len(sc.hot_images)]
        with conn.transaction():
            found = conn.execute(
                "SELECT status, result_image_base64, prompt FROM generations WHERE id = %s AND user_id = %s FOR UPDATE",
                (generation, hot),
            ).fetchone()
            row = conn.execute(
                "INSERT INTO wardrobe_items (user_id, generation_id, title, description, image_base64, "
                "collection_id, tags) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (hot, generation, f"saved {i}", found["prompt"], found["result_image_base64"], None, ["bench"]),
            ).fetchone()
        return UUID(str(row["id"]))

    def delete_item_sql(i: int, conn: Conn) -> None:
        item = sc.baseline_saved[i]
        with conn.transaction():
            conn.execute(
                "SELECT 1 FROM generations WHERE id = (SELECT generation_id FROM wardrobe_items WHERE id = %s"
                " AND user_id = %s) FOR UPDATE",
                (item, hot),
            )
            conn.execute("DELETE FROM wardrobe_items WHERE id = %s AND user_id = %s", (item, hot))

    def delete_generation_sql(i: int, conn: Conn) -> None:
        generation = sc.baseline_created[i]
        with conn.transaction():
            conn.execute(
                "SELECT status FROM generations WHERE id = %s AND user_id = %s FOR UPDATE", (generation, sc.writer)
            ).fetchone()
            conn.execute("DELETE FROM generations WHERE id = %s", (generation,))

    get_generation = sc.hot_images
    return [
        Case(
            "GET /generations?limit=20",
            "GenerationsListFunction",
            lambda i: harness.api_event("GET", "/generations", "/generations", hot, query={"limit": "20"}),
            200,
        ),
        Case(
            "GET /generations?status=completed&limit=20",
            "GenerationsListFunction",
            lambda i: harness.api_event(
                "GET", "/generations", "/generations", hot, query={"status": "completed", "limit": "20"}
            ),
            200,
        ),
        Case(
            "GET /generations?limit=20&cursor=(page 11)",
            "GenerationsListFunction",
            lambda i: harness.api_event(
                "GET", "/generations", "/generations", hot, query={"limit": "20", "cursor": sc.deep_cursor}
            ),
            200,
        ),
        Case(
            "GET /generations/{id} (with its image)",
            "GenerationGetFunction",
            lambda i: harness.api_event(
                "GET",
                f"/generations/{get_generation[i % len(get_generation)]}",
                "/generations/{generation_id}",
                hot,
            ),
            200,
        ),
        Case(
            "POST /generations (up to StartExecution)",
            "GenerationsCreateFunction",
            lambda i: harness.api_event(
                "POST", "/generations", "/generations", sc.writer, body={"mode": "from_prompt", "prompt": f"a look {i}"}
            ),
            202,
            baseline=create_sql,
            after=after_create,
            baseline_after=after_create_sql,
            writes=True,
        ),
        Case(
            "GET /wardrobe/items?limit=20",
            "WardrobeItemsListFunction",
            lambda i: harness.api_event("GET", "/wardrobe/items", "/wardrobe/items", hot, query={"limit": "20"}),
            200,
        ),
        Case(
            "GET /wardrobe/items?tag=summer&limit=20",
            "WardrobeItemsListFunction",
            lambda i: harness.api_event(
                "GET", "/wardrobe/items", "/wardrobe/items", hot, query={"tag": "summer", "limit": "20"}
            ),
            200,
        ),
        Case(
            "GET /wardrobe/items/{id} (with its photo)",
            "WardrobeItemGetFunction",
            lambda i: harness.api_event(
                "GET",
                f"/wardrobe/items/{sc.hot_photo_items[i % len(sc.hot_photo_items)]}",
                "/wardrobe/items/{item_id}",
                hot,
            ),
            200,
        ),
        Case(
            "POST /wardrobe/items (a 100 KB photo)",
            "WardrobeItemsCreateFunction",
            lambda i: harness.api_event(
                "POST",
                "/wardrobe/items",
                "/wardrobe/items",
                sc.writer,
                body={"imageBase64": item_uri, "title": f"item {i}", "tags": ["bench"]},
            ),
            201,
            baseline=item_sql,
            writes=True,
        ),
        Case(
            "POST /generations/{id}/wardrobe (save a look)",
            "GenerationSaveFunction",
            save_event,
            201,
            baseline=save_sql,
            after=lambda i, r: sc.saved_items.append(UUID(_body(r)["id"])),
            baseline_after=lambda i, item: sc.baseline_saved.append(item),
            writes=True,
        ),
        Case(
            "DELETE /wardrobe/items/{id} (a saved look)",
            "WardrobeItemDeleteFunction",
            lambda i: harness.api_event(
                "DELETE", f"/wardrobe/items/{sc.saved_items[i]}", "/wardrobe/items/{item_id}", hot
            ),
            204,
            baseline=delete_item_sql,
            writes=True,
        ),
        Case(
            "DELETE /generations/{id}",
            "GenerationDeleteFunction",
            lambda i: harness.api_event(
                "DELETE", f"/generations/{sc.created[i]}", "/generations/{generation_id}", sc.writer
            ),
            204,
            baseline=delete_generation_sql,
            writes=True,
        ),
    ]


def measure(
    handlers: harness.Handlers,
    sc: Scene,
    case: Case,
    stage: str,
    n: int,
    *,
    warmup: int = 5,
) -> tuple[Measured, list[capture.Statement]]:
    """``warmup`` + ``n`` calls of the handler, each followed by its baseline."""
    statements: list[capture.Statement] = []
    handler_ms: list[float] = []
    baseline_ms: list[float] = []
    size = 0
    context = handlers.context(case.function)
    handler = handlers.handler(case.function)
    with sc.db.connect() as conn:
        for i in range(warmup + n):
            event = case.event(i)
            if i == 0:
                with capture.capturing() as seen:
                    elapsed, response = harness.timed(functools.partial(handler, event, context))
                statements = seen.snapshot()
            else:
                elapsed, response = harness.timed(functools.partial(handler, event, context))
            if response.get("statusCode") != case.expect:
                raise RuntimeError(f"{case.name}: {response.get('statusCode')} {str(response.get('body'))[:300]}")
            size = len(response.get("body") or "")
            if case.after:
                case.after(i, response)
            baseline = case.baseline
            if baseline is None:
                reads = [s for s in statements if s.kind == "statement"]
                baseline = _replay(reads)
            took, value = harness.timed(functools.partial(baseline, i, conn))
            if case.baseline_after:
                case.baseline_after(i, value)
            if i >= warmup:
                handler_ms.append(elapsed)
                baseline_ms.append(took)
    trips = sum(1 for s in statements if s.kind != "connect")
    return (
        Measured(case.name, stage, stats.summarize(handler_ms), stats.summarize(baseline_ms), size, trips),
        statements,
    )


# -- plans ------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    label: str
    nodes: list[str]
    seq_scans: list[str]
    execution_ms: float
    buffers: int
    triggers: list[str]


def _walk(node: dict[str, Any], nodes: list[dict[str, Any]]) -> None:
    nodes.append(node)
    for child in node.get("Plans", []):
        _walk(child, nodes)


def explain(conn: Conn, label: str, query: Any, params: Any, big: dict[str, float]) -> Plan:
    """Run the statement under EXPLAIN (ANALYZE, BUFFERS) in a transaction that is rolled back."""

    def run(prefix: str) -> Any:
        statement = sql.SQL(prefix) + query if isinstance(query, sql.Composable) else prefix + str(query)
        with conn.transaction(force_rollback=True):
            conn.execute("SET LOCAL statement_timeout = 0")
            return conn.execute(statement, params).fetchone()

    try:
        row = run("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ")
    except psycopg.Error:
        # A write that cannot run twice (its charge is already recorded): the plan without running it.
        row = run("EXPLAIN (FORMAT JSON) ")
        label += " (not run)"
    document = next(iter(row.values()))
    document = json.loads(document) if isinstance(document, str) else document
    top = document[0]
    nodes: list[dict[str, Any]] = []
    _walk(top["Plan"], nodes)
    described, seq = [], []
    for node in nodes:
        relation = node.get("Relation Name")
        if not relation:
            if node.get("Index Name"):  # a Bitmap Index Scan feeds the Bitmap Heap Scan above it
                described.append(f"{node['Node Type']} using {node['Index Name']}")
            continue
        text = f"{node['Node Type']} on {relation}" + (f" using {node['Index Name']}" if node.get("Index Name") else "")
        described.append(text)
        if node["Node Type"] == "Seq Scan" and big.get(relation, 0) > 10_000:
            seq.append(f"{relation} ({big[relation]:,.0f} rows)")
    slowest = sorted(top.get("Triggers", []), key=lambda t: -float(t.get("Time", 0)))[:3]
    triggers = [
        f"{t.get('Constraint Name') or t.get('Trigger Name')} ({t.get('Relation')}): {t.get('Time', 0):.2f} ms"
        + (f" x{t['Calls']}" if t.get("Calls", 1) > 1 else "")
        for t in slowest
    ]
    buffers = int(top["Plan"].get("Shared Hit Blocks", 0)) + int(top["Plan"].get("Shared Read Blocks", 0))
    return Plan(label, described, seq, float(top.get("Execution Time", 0.0)), buffers, triggers)


def table_sizes(conn: Conn) -> dict[str, float]:
    rows = conn.execute(
        "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
    ).fetchall()
    return {r["relname"]: float(r["reltuples"]) for r in rows}


def typical_user(db: BenchDatabase) -> tuple[UUID, int]:
    """A seeded user with about as many generations as the average one (100 at full size)."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT g.user_id, count(*) AS n FROM generations g WHERE g.user_id IN "
            "(SELECT id FROM users WHERE email LIKE 'user%%' ORDER BY email LIMIT 200) GROUP BY g.user_id"
        ).fetchall()
        average = conn.execute(
            "SELECT (SELECT count(*) FROM generations)::float / (SELECT count(*) FROM users) AS n"
        ).fetchone()
    assert rows
    assert average is not None
    best = min(rows, key=lambda r: abs(r["n"] - average["n"]))
    return best["user_id"], int(best["n"])


def hidden_statements(sc: Scene) -> list[tuple[str, Any, Any]]:
    """What the triggers and foreign keys run for the writes above (EXPLAIN shows only their total time),
    and deleting an account (``DELETE /me``), whose cascade runs them once per generation."""
    generation = sc.hot_images[0]
    user, generations = typical_user(sc.db)
    return [
        (
            "trigger sync_saved_to_wardrobe: EXISTS(items of a generation)",
            "SELECT EXISTS (SELECT 1 FROM wardrobe_items WHERE generation_id = %s) AS saved",
            (generation,),
        ),
        (
            "FK wardrobe_items.generation_id ON DELETE SET NULL",
            "UPDATE wardrobe_items SET generation_id = NULL WHERE generation_id = %s",
            (generation,),
        ),
        (
            "FK token_transactions.generation_id ON DELETE SET NULL",
            "UPDATE token_transactions SET generation_id = NULL WHERE generation_id = %s",
            (generation,),
        ),
        (
            "DELETE FROM generations (the FK actions' total time)",
            "DELETE FROM generations WHERE id = %s",
            (generation,),
        ),
        (
            "FK token_transactions.actor_id ON DELETE SET NULL",
            "UPDATE token_transactions SET actor_id = NULL WHERE actor_id = %s",
            (user,),
        ),
        (
            f"DELETE FROM users (an account with {generations} generations, as DELETE /me does)",
            "DELETE FROM users WHERE id = %s",
            (user,),
        ),
    ]


def plans(sc: Scene, captured: dict[str, list[capture.Statement]]) -> list[Plan]:
    found = []
    with sc.db.connect() as conn:
        big = table_sizes(conn)
        for case, statements in captured.items():
            for number, statement in enumerate(s for s in statements if s.kind == "statement"):
                label = f"{case} #{number + 1}: {' '.join(statement.text.split())[:70]}"
                found.append(explain(conn, label, statement.query, statement.params, big))
        for label, query, params in hidden_statements(sc):
            found.append(explain(conn, label, query, params, big))
    return found


# -- the run ----------------------------------------------------------------------------------------------


@dataclass
class StageResult:
    stage: str
    rows: dict[str, int]
    measured: list[Measured]
    plans: list[Plan]
    profile: dict[str, tuple[dict[str, float], float, list[tuple[str, float]]]] = field(default_factory=dict)


def run_stage(
    handlers: harness.Handlers, sc: Scene, stage: str, n: int, item_uri: str, *, profile: bool, say: Any
) -> StageResult:
    captured: dict[str, list[capture.Statement]] = {}
    measured = []
    sc.created.clear()
    sc.baseline_created.clear()
    sc.saved_items.clear()
    sc.baseline_saved.clear()
    for case in cases(sc, item_uri):
        reps = max(10, n // 2) if case.writes else n
        result, statements = measure(handlers, sc, case, stage, reps)
        measured.append(result)
        captured[case.name] = statements
        say(f"  {stage}: {case.name}: median {stats.ms(result.handler.median)} ms")
    found = plans(sc, captured)
    with sc.db.connect() as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM generations) AS generations, "
            "(SELECT count(*) FROM wardrobe_items) AS items, (SELECT count(*) FROM token_transactions) AS ledger"
        ).fetchone()
    assert counts is not None
    outcome = StageResult(stage, {k: int(v) for k, v in counts.items()}, measured, found)
    if profile:
        outcome.profile = profiles(handlers, sc, item_uri, max(50, n // 2))
    return outcome


def profiles(
    handlers: harness.Handlers, sc: Scene, item_uri: str, n: int
) -> dict[str, tuple[dict[str, float], float, list[tuple[str, float]]]]:
    chosen = {c.name: c for c in cases(sc, item_uri)}
    out = {}
    for name in (
        "GET /generations?limit=20",
        "GET /generations/{id} (with its image)",
        "POST /generations (up to StartExecution)",
        "POST /wardrobe/items (a 100 KB photo)",
    ):
        case = chosen[name]
        handler = handlers.handler(case.function)
        context = handlers.context(case.function)
        events = iter([case.event(i) for i in range(n)])

        def call(h: Any = handler, c: Any = context, e: Any = events, k: Case = case) -> None:
            response = h(next(e), c)
            if k.after is not None:
                k.after(0, response)

        out[name] = harness.profile(call, n)
    return out


def section(results: list[StageResult], n: int) -> Section:
    out = Section("warm", "Warm latency at scale")
    out.paragraph(
        "In-process handler latency (API Gateway event in, response out; the handler loaded once with "
        "`devstack.runtime.load_handler`, the authorizer's context in the event), "
        f"{n} calls per read and {max(10, n // 2)} per write after 5 warm-up calls, on the benchmark user's "
        f"rows ({seed.HOT_GENERATIONS} generations, {seed.HOT_ITEMS} wardrobe items, the same at every size) "
        "while the tables around them grow. `POST /generations` runs up to and including StartExecution "
        "(a state machine that ends at once, in the local stack's moto). Baseline: the endpoint's bare SQL "
        "through psycopg (reads: the captured statements replayed; writes: the same statements written out). "
        "*DB round trips*: the statements and `BEGIN`/`COMMIT` the handler sends, each a wait for the server "
        "(a few hundredths of a millisecond on this machine's local socket; a network round trip each in AWS)."
    )
    for result in results:
        rows = result.rows
        out.paragraph(
            f"**{result.stage}**: {rows['users']:,} users, {rows['generations']:,} generations, "
            f"{rows['items']:,} wardrobe items, {rows['ledger']:,} ledger rows."
        )
        table_rows = [
            [
                *stats.timing_row(m.case, m.handler, m.baseline),
                stats.ms(m.baseline.median) if m.baseline else "-",
                m.round_trips,
                stats.size(m.response_bytes),
            ]
            for m in result.measured
        ]
        header = [*stats.TIMING_HEADER, "baseline median ms", "DB round trips", "response"]
        out.table(stats.markdown_table(header, table_rows))
    if len(results) >= 2:
        first, last = results[0], results[-1]
        by_name = {m.case: m for m in first.measured}
        growth = []
        for m in last.measured:
            small = by_name.get(m.case)
            if small is None:
                continue
            growth.append(
                [
                    m.case,
                    stats.ms(small.handler.median),
                    stats.ms(m.handler.median),
                    stats.ratio(m.handler.median, small.handler.median),
                    stats.ms(small.baseline.median) if small.baseline else "-",
                    stats.ms(m.baseline.median) if m.baseline else "-",
                ]
            )
        out.paragraph(f"Growth from {first.stage} to {last.stage} (median ms; flat is ~1.0x):")
        out.table(
            stats.markdown_table(
                [
                    "endpoint",
                    f"handler @{first.stage}",
                    f"handler @{last.stage}",
                    "growth",
                    f"SQL @{first.stage}",
                    f"SQL @{last.stage}",
                ],
                growth,
            )
        )
    last = results[-1]
    plan_rows = []
    for plan in last.plans:
        plan_rows.append(
            [
                plan.label.replace("|", "/"),
                "; ".join(dict.fromkeys(plan.nodes)) or "(no table)",
                f"{plan.execution_ms:.2f}",
                plan.buffers,
                ", ".join(plan.seq_scans) or "no",
                "; ".join(plan.triggers),
            ]
        )
    out.paragraph(
        f"Plans at {last.stage} (`EXPLAIN (ANALYZE, BUFFERS)`, writes rolled back; a *large* table has more "
        "than 10,000 rows):"
    )
    out.table(
        stats.markdown_table(
            ["statement", "scans", "exec ms", "buffers", "seq scan of a large table", "triggers"],
            plan_rows,
            "llrrll",
        )
    )
    for result in results:
        if not result.profile:
            continue
        out.paragraph(
            f"Where a warm call's time goes at {result.stage} (cProfile, own time per call, grouped by package; "
            "profiling roughly doubles the times):"
        )
        buckets = sorted({b for data, _, _ in result.profile.values() for b in data})
        header = ["bucket", *result.profile]
        body = []
        for bucket in sorted(buckets, key=lambda b: -sum(d.get(b, 0.0) for d, _, _ in result.profile.values())):
            body.append([bucket, *(f"{data.get(bucket, 0.0):.2f}" for data, _, _ in result.profile.values())])
        body.append(["**total ms per call**", *(f"{total:.2f}" for _, total, _ in result.profile.values())])
        out.table(stats.markdown_table(header, body))
        for name, (_, _, top) in result.profile.items():
            out.add(f"- {name}: " + "; ".join(f"`{where}` {ms_:.2f}" for where, ms_ in top[:5]))
        out.add("")
    return out


def new_writer(db: BenchDatabase) -> UUID:
    return harness.create_user(db, f"writer-{uuid.uuid4().hex[:6]}", 1_000_000)
