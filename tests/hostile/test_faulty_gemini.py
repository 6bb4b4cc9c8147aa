"""Generations through the real state machine (moto's ASL engine) and the real google-genai client, against a
fake Gemini that answers each generation with a fault drawn by a seeded ``random.Random``: throttling and 5xx
(retried), timeouts, safety blocks, text instead of an image, bytes that are not an image (random bytes, SVG
with a script, a truncated PNG, a decompression bomb), errors whose text carries an API key, and HTML error
pages with a traceback. Meanwhile users cancel and delete generations in flight, and send an
``Idempotency-Key`` again, with the same body and with another.

Whatever happened, every generation ends completed or failed, no user reads a word the provider wrote,
every completed generation's image decodes, and no token is lost or given twice.
"""

from __future__ import annotations

import io
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from PIL import Image

from imagify.generations.service import CANCELLED
from tests.fakes.gemini import (
    FakeGemini,
    error_reply,
    html_error_reply,
    image_reply,
    no_image_reply,
    png,
    safety_block_reply,
    text_only_reply,
    thinking_image_reply,
)
from tests.fakes.http import Recorded, Reply
from tests.hostile import payloads, reliability
from tests.integration.generations import fixtures, support
from tests.support.api import ApiClient, ApiResponse, User
from tests.support.images import png_header

flow_checks = fixtures.flow_checks

GENERATIONS = reliability.scaled(40)
USERS = max(3, GENERATIONS // 6)
SEED = "imagify-hostile-flow-1"
# The real client gives up after this long; a "timeout" fault answers later than that.
TIMEOUT_S = 1.0
DECODABLE = {"PNG", "JPEG", "WEBP"}
# What no user may read in an error message: a key's prefix, a traceback, a page, the provider's hosts.
FORBIDDEN = ("AIza", "Traceback", "<html", "<pre", "googleapis", "483920117465", "proxy.py", "KeyError")
_MARKER = re.compile(r"look-(\d{5})")


def _picture(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 80)).save(out, fmt)
    return out.getvalue()


@dataclass
class Fault:
    """What the fake answers one generation, in order (the last again when they run out), and whether the
    generation can complete (a cancel or a delete may still fail it)."""

    weight: int
    can_complete: bool
    replies: Callable[[random.Random, str], list[tuple[Reply, bool]]]


def _html(key: str) -> str:
    return (
        '<html><body><h1>502 Bad Gateway</h1><pre>Traceback (most recent call last):\n  File "/srv/proxy.py", '
        f"line 12\nKeyError: {key}</pre></body></html>"
    )


def _ok(fault: Reply) -> list[tuple[Reply, bool]]:
    return [(fault, True), (image_reply(), False)]


FAULTS: dict[str, Fault] = {
    "image": Fault(8, True, lambda rng, key: [(image_reply(), False)]),
    "jpeg": Fault(2, True, lambda rng, key: [(image_reply(_picture("JPEG"), "image/png"), False)]),
    "webp": Fault(2, True, lambda rng, key: [(image_reply(_picture("WEBP"), "image/webp"), False)]),
    "thinking": Fault(2, True, lambda rng, key: [(thinking_image_reply(png(32, 32)), False)]),
    "429-then-image": Fault(4, True, lambda rng, key: _ok(error_reply(429, f"quota exceeded for key {key}"))),
    "500-then-image": Fault(3, True, lambda rng, key: _ok(error_reply(500, f"internal error at {key}"))),
    "502-html-then-image": Fault(2, True, lambda rng, key: _ok(html_error_reply(502, _html(key)))),
    "timeout-then-image": Fault(2, True, lambda rng, key: _ok(Reply(200, image_reply().body, delay_s=TIMEOUT_S + 0.5))),
    "503-always": Fault(2, False, lambda rng, key: [(error_reply(503, f"backend {key} overloaded"), True)]),
    "safety": Fault(3, False, lambda rng, key: [(safety_block_reply(), True)]),
    "text-only": Fault(3, False, lambda rng, key: [(text_only_reply(f"I will not draw this ({key})"), True)]),
    "no-image": Fault(2, False, lambda rng, key: [(no_image_reply(), True)]),
    "empty-candidates": Fault(1, False, lambda rng, key: [(Reply(200, {"candidates": []}), True)]),
    "not-json": Fault(1, False, lambda rng, key: [(Reply(200, f"{{not json {key}".encode()), True)]),
    "random-bytes": Fault(3, False, lambda rng, key: [(image_reply(payloads.noise(rng, 2048), "image/jpeg"), True)]),
    "svg": Fault(2, False, lambda rng, key: [(image_reply(payloads.SVG, "image/svg+xml"), True)]),
    # Cut inside the pixel data (png() is 141 bytes; cut past byte 119, only zlib's checksum is missing).
    "truncated-png": Fault(2, False, lambda rng, key: [(image_reply(png()[: rng.randrange(16, 100)]), True)]),
    "bomb": Fault(2, False, lambda rng, key: [(image_reply(png_header(50_000, 50_000)), True)]),
    "400-key": Fault(2, False, lambda rng, key: [(error_reply(400, f"API key not valid: {key}"), True)]),
    "403-key": Fault(2, False, lambda rng, key: [(error_reply(403, f"Permission denied for key {key}"), True)]),
    "404-key": Fault(1, False, lambda rng, key: [(error_reply(404, f"models/x not found; key={key}"), True)]),
    "400-html": Fault(2, False, lambda rng, key: [(html_error_reply(400, _html(key)), True)]),
}


class FaultyGemini(FakeGemini):
    """Answers each generation (found by the ``look-NNNNN`` in its prompt) from that generation's own
    script, whatever order the executions call in; counts the faulty answers it gave."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: dict[int, deque[tuple[Reply, bool]]] = {}
        self.current: dict[int, tuple[Reply, bool]] = {}
        self.faults = 0
        self._lock = threading.Lock()

    def reply_to(self, request: Recorded) -> Reply:
        texts = " ".join(support.sent_text(request.body)) if isinstance(request.body, dict) else ""
        found = _MARKER.search(texts)
        if found is None:
            return super().reply_to(request)
        index = int(found.group(1))
        with self._lock:
            script = self.scripts[index]
            if script:
                self.current[index] = script.popleft()
            reply, faulty = self.current[index]
            self.faults += faulty
        return reply


@pytest.fixture
def faulty_gemini(
    flow_checks: fixtures.FlowChecks, local_stack: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FaultyGemini]:
    """The fake, with the handlers' real client pointed at it; the in-flight limit out of the way (it is
    tested elsewhere; here every start must be accepted so that each meets its fault)."""
    server = FaultyGemini()
    server.start()
    try:
        support.use_fake_gemini(monkeypatch, server.url, timeout_s=TIMEOUT_S)
        support.set_env(monkeypatch, FREE_MAX_IN_FLIGHT="1000")
        yield server
        support.wait_for_executions(local_stack.aws.client("stepfunctions"), parked=False)
    finally:
        server.stop()


class CountingApi(ApiClient):
    """The API client, counting every answer in the tally."""

    def __init__(self, api: ApiClient, tally: reliability.Tally) -> None:
        super().__init__(api.transport)
        self.tally = tally

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        answer = super().call(method, path, body, **kwargs)
        self.tally.answered(answer.status)
        return answer


@dataclass
class Run:
    """One generation of the run: its fault, its inputs, what the user did to it, what came of it."""

    index: int
    fault: str
    user: User
    body: dict[str, Any]
    key: str | None
    action: str
    delay_s: float
    id: str = ""
    cancelled: bool = False
    wrong: list[str] = field(default_factory=list)
    final: dict[str, Any] | None = None

    def __str__(self) -> str:
        return f"#{self.index} {self.fault}/{self.action} {self.body['mode']} {self.id}"


def _plan(rng: random.Random, users: list[User], gemini: FaultyGemini) -> list[Run]:
    names = list(FAULTS)
    weights = [FAULTS[name].weight for name in names]
    runs = []
    for index in range(GENERATIONS):
        fault = rng.choices(names, weights)[0]
        gemini.scripts[index] = deque(FAULTS[fault].replies(rng, payloads.api_key(rng)))
        prompt = f"a green coat, look-{index:05d}"
        mode = rng.choices(("from_prompt", "photo_text", "tryon"), (6, 2, 2))[0]
        body: dict[str, Any] = {"mode": mode, "prompt": prompt}
        if mode != "from_prompt":
            body["userPhotoUrl"] = support.data_uri(support.picture())
        if mode == "tryon":
            body["itemPhotoUrl"] = support.data_uri(support.picture(colour=(200, 10, 10), fmt="JPEG"), "image/jpeg")
        key = f"hostile-{index}" if rng.random() < 0.5 else None
        action = rng.choices(("none", "cancel", "delete", "repeat", "reuse-key"), (12, 2, 2, 2, 1))[0]
        if action in ("repeat", "reuse-key") and key is None:
            key = f"hostile-{index}"
        runs.append(Run(index, fault, rng.choice(users), body, key, action, rng.uniform(0, 0.5)))
    return runs


def _start(api: ApiClient, run: Run) -> None:
    """Start the run's generation, then do to it what its user does while it runs."""
    headers = {"Idempotency-Key": run.key} if run.key else None
    token = run.user.access_token
    answer = api.post("/generations", run.body, token=token, headers=headers)
    if answer.status != 202:
        run.wrong.append(f"POST /generations: {answer.status} {answer.body[:200]!r}")
        return
    run.id = answer.json()["id"]
    if run.action == "repeat":
        again = api.post("/generations", run.body, token=token, headers=headers)
        if again.status != 202 or again.json()["id"] != run.id:
            run.wrong.append(f"the same key and body again: {again.status} {again.body[:200]!r}")
    elif run.action == "reuse-key":
        other = {**run.body, "prompt": run.body["prompt"] + " in red"}
        again = api.post("/generations", other, token=token, headers=headers)
        if (again.status, again.error_code) != (422, "idempotency_key_reused"):
            run.wrong.append(f"the same key with another body: {again.status} {again.body[:200]!r}")
    time.sleep(run.delay_s)
    if run.action == "cancel":
        cancelled = api.post(f"/generations/{run.id}/cancel", token=token)
        run.cancelled = cancelled.status == 200
        if cancelled.status not in (200, 409):
            run.wrong.append(f"cancel: {cancelled.status} {cancelled.body[:200]!r}")
    elif run.action == "delete":
        deleted = api.delete(f"/generations/{run.id}", token=token)
        if deleted.status != 204:
            run.wrong.append(f"delete: {deleted.status} {deleted.body[:200]!r}")
    if run.key and run.action in ("cancel", "delete"):
        # The client retries after all: it gets the first answer again, and nothing is charged twice.
        again = api.post("/generations", run.body, token=token, headers=headers)
        if again.status != 202 or again.json()["id"] != run.id:
            run.wrong.append(f"the same key and body after {run.action}: {again.status} {again.body[:200]!r}")


def _finish(api: ApiClient, run: Run, secrets: list[str]) -> None:
    """Wait for the run's generation to end, then check what its user sees."""
    if not run.id:
        return
    if run.action == "delete":
        gone = api.get(f"/generations/{run.id}", token=run.user.access_token)
        if gone.status != 404:
            run.wrong.append(f"deleted, yet GET answers {gone.status}")
        return
    try:
        run.final = done = support.wait_for_generation(api, run.user, run.id, timeout_s=120)
    except AssertionError as stuck:
        run.wrong.append(f"stuck: {stuck}")
        return
    message = done["errorMessage"] or ""
    if run.cancelled and (done["status"], message) != ("failed", CANCELLED):
        run.wrong.append(f"cancelled, yet {done['status']}: {message!r}")
    if done["status"] == "failed":
        leaked = [secret for secret in (*FORBIDDEN, *secrets) if secret in message]
        if leaked or not message:
            run.wrong.append(f"error message {message!r} (leaks {leaked})")
        if FAULTS[run.fault].can_complete and not run.cancelled:
            run.wrong.append(f"failed, though the model sent an image in the end: {message!r}")
        return
    if not FAULTS[run.fault].can_complete:
        run.wrong.append("completed, though the model never sent a usable image")
    image = api.get(f"/generations/{run.id}/image", token=run.user.access_token)
    try:
        picture = Image.open(io.BytesIO(image.body))
        picture.load()
        assert picture.format in DECODABLE, picture.format
    except Exception as error:
        run.wrong.append(f"its image ({image.status}, {image.headers.get('content-type')}) does not decode: {error!r}")


def _provider_words(script: deque[tuple[Reply, bool]]) -> Iterator[str]:
    """What the provider says in a script's faulty answers (whole, and its opening words)."""
    for reply, faulty in script:
        body = reply.body
        if not faulty:
            continue
        if isinstance(body, bytes):
            said = [body.decode()]
        else:
            parts = [
                part
                for candidate in body.get("candidates", [])
                for part in candidate.get("content", {}).get("parts", [])
            ]
            said = [body.get("error", {}).get("message", ""), *(part.get("text", "") for part in parts)]
        for text in filter(None, said):
            yield text
            yield text[:16]


def _tokens_lost(sql: support.Sql) -> list[str]:
    """Every token out of place: a balance apart from its ledger, a refund missing or given twice (also of
    deleted generations, whose ledger rows remain with no generation)."""
    lost = []
    for row in support.rows(
        sql,
        "SELECT u.email, u.tokens - COALESCE(sum(t.delta), 0)::int AS off FROM users u "
        "LEFT JOIN token_transactions t ON t.user_id = u.id GROUP BY u.id, u.email, u.tokens",
    ):
        lost += [f"{row['email']}: balance off its ledger by {row['off']}"] * abs(row["off"])
    for row in support.rows(
        sql,
        "SELECT g.id::text AS id, g.status::text AS status, "
        "count(*) FILTER (WHERE t.kind = 'generation_charge')::int AS charges, "
        "count(*) FILTER (WHERE t.kind = 'generation_refund')::int AS refunds "
        "FROM generations g LEFT JOIN token_transactions t ON t.generation_id = g.id GROUP BY g.id, g.status",
    ):
        expected = row["charges"] if row["status"] == "failed" else 0
        lost += [f"generation {row['id']} ({row['status']}): {row['refunds']} refunds"] * abs(row["refunds"] - expected)
    for row in support.rows(
        sql,
        "SELECT user_id::text AS user_id, "
        "count(*) FILTER (WHERE kind = 'generation_charge')::int AS charges, "
        "count(*) FILTER (WHERE kind = 'generation_refund')::int AS refunds "
        "FROM token_transactions WHERE generation_id IS NULL GROUP BY user_id",
    ):
        if row["refunds"] > row["charges"]:
            lost += [f"user {row['user_id']}: more refunds than charges of deleted generations"] * (
                row["refunds"] - row["charges"]
            )
    return lost


@pytest.mark.timeout(3000 if reliability.SOAK else 300)
def test_generations_under_injected_faults_end_cleanly_and_lose_no_token(
    api: ApiClient, faulty_gemini: FaultyGemini, sql: support.Sql, local_stack: Any, tally: reliability.Tally
):
    # Given users, and a fake Gemini that answers each generation with a fault of its own
    rng = random.Random(SEED)
    client = CountingApi(api, tally)
    users = [client.register() for _ in range(USERS)]
    runs = _plan(rng, users, faulty_gemini)
    secrets = sorted({words for script in faulty_gemini.scripts.values() for words in _provider_words(script)})

    # When they generate at once, cancelling, deleting and retrying some while they run
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda run: _start(client, run), runs))
        list(pool.map(lambda run: _finish(client, run, secrets), runs))
    support.wait_for_executions(local_stack.aws.client("stepfunctions"), parked=False)
    lost = _tokens_lost(sql)
    tally.add(faults=faulty_gemini.faults, tokens_lost=len(lost), generations=len(runs))

    # Then every generation ended, in our words, with an image that decodes when it completed
    wrong = [f"{run}: {problem}" for run in runs for problem in run.wrong]
    assert not wrong, f"{len(wrong)} of {len(runs)} generations went wrong:\n" + "\n".join(wrong)
    # And every token is where it should be
    assert not lost, "\n".join(lost)
    outcomes = {(run.final or {}).get("status") for run in runs}
    assert {"completed", "failed"} <= outcomes, "the run met too few faults, or too many"
