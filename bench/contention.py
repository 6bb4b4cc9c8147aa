"""Contention: generations created at once, by many users and by one user, through the local API Gateway
(routes, the real authorizer with an access token, the real handler), in-process.

Each thread is an execution environment of its own (its own gateway, runtime and module copies, and its
own database connection), as Lambda scales out to one environment per concurrent request; the local
stack's shared runtime would run one request at a time. Executions go to a state machine that ends at
once (the flow is measured elsewhere), and the in-flight limit is lifted, so what is measured is the
charge-and-insert path under contention: the user's row lock, the ledger, the inserts. Afterwards the
invariants are checked: every user's tokens equal the sum of their ledger, no generation is charged
twice, and every accepted request is exactly one charge.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from bench import harness, stats
from bench.pg import BenchDatabase
from bench.report import Section


@dataclass
class Scenario:
    name: str
    threads: int
    requests: int
    statuses: Counter[int]
    latency_ms: list[float]
    wall_s: float
    problems: list[str] = field(default_factory=list)
    expected: str = ""

    @property
    def accepted(self) -> int:
        return self.statuses.get(202, 0)


def _clients(stack: Any, count: int) -> list[Any]:
    from devstack.apigw import Gateway
    from devstack.runtime import Runtime

    template = stack.template
    clients = []
    for _ in range(count):
        runtime = Runtime(template)
        for logical_id in ("AuthorizerFunction", "GenerationsCreateFunction"):
            runtime.handler(template.function(logical_id))
        clients.append(Gateway(template, runtime))
    return clients


def _token(user: UUID) -> str:
    from imagify.identity.credentials import issue_access_token

    return issue_access_token(user).token


def _run(
    clients: list[Any], users: list[UUID], per_thread: int, *, barrier: bool = False
) -> tuple[Counter[int], list[float], float]:
    tokens = [_token(u) for u in users]
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(len(clients))

    def work(index: int) -> None:
        client, token = clients[index], tokens[index % len(tokens)]
        # One request first, untimed: the gateway's authorizer cache and the thread's connection warm up.
        if not barrier:
            harness.post(client, "/generations", {"mode": "from_prompt", "prompt": "warm up"}, token)
        start.wait(timeout=60)
        for n in range(per_thread):
            began = time.perf_counter()
            status = harness.post(client, "/generations", {"mode": "from_prompt", "prompt": f"look {index}-{n}"}, token)
            took = (time.perf_counter() - began) * 1000
            with lock:
                statuses[status] += 1
                latencies.append(took)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        list(pool.map(work, range(len(clients))))
    return statuses, latencies, time.perf_counter() - began


def check(db: BenchDatabase, users: list[UUID], accepted: int | None = None) -> list[str]:
    problems = []
    with db.connect() as conn:
        for row in conn.execute(
            "SELECT u.id, u.tokens, COALESCE((SELECT sum(delta) FROM token_transactions t WHERE t.user_id = u.id), 0)"
            "::int AS ledger FROM users u WHERE u.id = ANY(%s)",
            (users,),
        ).fetchall():
            if row["tokens"] != row["ledger"]:
                problems.append(f"user {row['id']}: tokens {row['tokens']} but the ledger sums to {row['ledger']}")
        doubles = conn.execute(
            "SELECT generation_id, count(*) AS n FROM token_transactions WHERE user_id = ANY(%s) "
            "AND kind = 'generation_charge' GROUP BY generation_id HAVING count(*) > 1",
            (users,),
        ).fetchall()
        problems += [f"generation {r['generation_id']} charged {r['n']} times" for r in doubles]
        totals = conn.execute(
            "SELECT (SELECT count(*) FROM generations WHERE user_id = ANY(%(u)s) AND prompt LIKE 'look %%') AS made, "
            "(SELECT count(*) FROM token_transactions t JOIN generations g ON g.id = t.generation_id "
            " WHERE t.user_id = ANY(%(u)s) AND t.kind = 'generation_charge' AND g.prompt LIKE 'look %%') AS charged",
            {"u": users},
        ).fetchone()
        assert totals is not None
        if totals["made"] != totals["charged"]:
            problems.append(f"{totals['made']} generations but {totals['charged']} charges")
        if accepted is not None and totals["made"] != accepted:
            problems.append(f"{accepted} requests accepted but {totals['made']} generations made")
    return problems


def run(stack: Any, db: BenchDatabase, *, threads: int, per_thread: int, say: Callable[[str], None]) -> list[Scenario]:
    os.environ["STATE_MACHINE_ARN"] = harness.pass_machine(stack)
    os.environ["FREE_MAX_IN_FLIGHT"] = "1000000"
    harness.clear_caches()
    results = []
    try:
        # Many users: one user per thread.
        users = [harness.create_user(db, f"many{n}", 10_000) for n in range(threads)]
        clients = _clients(stack, threads)
        statuses, latencies, wall = _run(clients, users, per_thread)
        scenario = Scenario(f"{threads} users at once", threads, threads * per_thread, statuses, latencies, wall)
        scenario.problems = check(db, users, scenario.accepted)
        scenario.expected = "all 202"
        results.append(scenario)
        say(f"  contention: many users, {scenario.accepted} accepted in {wall:.1f} s")
        # One user: every thread the same user (their requests queue on the user's row lock).
        one = harness.create_user(db, "one", 10_000)
        statuses, latencies, wall = _run(_clients(stack, threads), [one], per_thread)
        scenario = Scenario(f"1 user, {threads} at once", threads, threads * per_thread, statuses, latencies, wall)
        scenario.problems = check(db, [one], scenario.accepted)
        scenario.expected = "all 202"
        results.append(scenario)
        say(f"  contention: one user, {scenario.accepted} accepted in {wall:.1f} s")
        # One user, scarce tokens: more requests at once than tokens; exactly as many accepted as tokens.
        scarce = harness.create_user(db, "scarce", 20)
        burst = max(threads * 3, 24)
        statuses, latencies, wall = _run(_clients(stack, burst), [scarce], 1, barrier=True)
        scenario = Scenario(f"1 user, {burst} at once, 20 tokens", burst, burst, statuses, latencies, wall)
        scenario.problems = check(db, [scarce], scenario.accepted)
        if statuses != Counter({202: 20, 402: burst - 20}):
            scenario.problems.append(f"expected 20 x 202 and {burst - 20} x 402, got {dict(statuses)}")
        with db.connect() as conn:
            left = conn.execute("SELECT tokens FROM users WHERE id = %s", (scarce,)).fetchone()
        if left is None or left["tokens"] != 0:
            scenario.problems.append(f"balance left: {left}")
        scenario.expected = "20 x 202, the rest 402, balance 0"
        results.append(scenario)
        say(f"  contention: scarce tokens, {dict(statuses)}")
    finally:
        os.environ.pop("FREE_MAX_IN_FLIGHT", None)
        harness.clear_caches()
    return results


def section(results: list[Scenario]) -> Section:
    out = Section("contention", "Contention: generations created at once")
    out.paragraph(
        "Threads through the in-process API Gateway (real authorizer with an access token, real handler), "
        "each thread an execution environment of its own (gateway, runtime, connection), on this machine's "
        f"{os.cpu_count()} cores and one Python process (the GIL). `POST /generations` up to StartExecution "
        "(a state machine that ends at once); in-flight limit lifted. Latency per request; throughput = "
        "requests / wall time. Baseline: the same requests with no concurrency is the warm figure of "
        "`POST /generations` above plus the gateway and authorizer."
    )
    rows = []
    for s in results:
        summary = stats.summarize(s.latency_ms)
        rows.append(
            [
                s.name,
                s.requests,
                ", ".join(f"{k}: {v}" for k, v in sorted(s.statuses.items())),
                f"{s.requests / s.wall_s:.1f}",
                stats.ms(summary.median),
                stats.ms(summary.p95),
                stats.ms(summary.p99),
                s.expected,
                "ok" if not s.problems else "; ".join(s.problems[:3]),
            ]
        )
    out.table(
        stats.markdown_table(
            [
                "scenario",
                "requests",
                "answers",
                "req/s",
                "median ms",
                "p95 ms",
                "p99 ms",
                "expected",
                "invariants (tokens = ledger, one charge each)",
            ],
            rows,
            "lrlrrrrll",
        )
    )
    return out
