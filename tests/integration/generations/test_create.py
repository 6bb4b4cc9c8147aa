"""``POST /generations`` under load and retries: the balance, the in-flight limit and ``Idempotency-Key``
hold when requests really run at once, and a generation that cannot start is refunded before the answer.

Concurrent requests each go through their own gateway and runtime, i.e. their own copy of every handler
module and (per thread) their own database connection, as Lambda scales out to one execution environment
per concurrent request; the local stack's own runtime runs one invocation at a time, which would make
"at once" one after the other.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from devstack.apigw import Gateway
from devstack.runtime import Runtime
from tests.integration.generations import support
from tests.integration.generations.fixtures import FlowChecks
from tests.support.api import ApiClient, ApiResponse, GatewayTransport, User

T = TypeVar("T")

A_LOOK = {"mode": "from_prompt", "prompt": "a camel trench coat"}


def environments(local_stack: Any, count: int) -> list[ApiClient]:
    """``count`` API clients, each on execution environments of its own (warm: handlers imported)."""
    template = local_stack.template
    clients = []
    for _ in range(count):
        runtime = Runtime(template)
        for logical_id in ("AuthorizerFunction", "GenerationsCreateFunction"):
            runtime.handler(template.function(logical_id))
        clients.append(ApiClient(GatewayTransport(Gateway(template, runtime))))
    return clients


def at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls on as many threads, released together."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        start.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _post(client: ApiClient, user: User, body: dict[str, Any], key: str | None = None) -> Callable[[], ApiResponse]:
    headers = {"Idempotency-Key": key} if key else None
    return lambda: client.post("/generations", body, token=user.access_token, headers=headers)


def _generations(sql: support.Sql, user: User) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in support.rows(
            sql, "SELECT id::text AS id, status::text AS status FROM generations WHERE user_id = %s", (user.id,)
        )
    ]


# -- the balance ----------------------------------------------------------------------------------------


def test_fifty_requests_at_once_with_ten_tokens_start_exactly_ten(
    api: ApiClient, local_stack: Any, user: User, sql: support.Sql, monkeypatch: pytest.MonkeyPatch
):
    # Given a user holding exactly 10 tokens, on a plan that would let all of them run at once
    support.set_env(monkeypatch, FREE_MAX_IN_FLIGHT="100")
    support.set_balance(sql, user, 10)
    clients = environments(local_stack, 50)

    # When 50 generations are asked for at once
    answers = at_once([_post(client, user, {**A_LOOK, "prompt": f"look {n}"}) for n, client in enumerate(clients)])

    # Then exactly 10 were accepted and 40 refused for want of tokens (and none failed otherwise)
    assert Counter(answer.status for answer in answers) == {202: 10, 402: 40}, [
        a.body for a in answers if a.status >= 500
    ]
    assert {answer.error_code for answer in answers if answer.status == 402} == {"insufficient_tokens"}
    accepted = {answer.json()["id"] for answer in answers if answer.status == 202}
    # And the balance is 0, after ten charges of one token, each leaving a different balance
    assert support.balance(sql, user) == 0
    charges = support.rows(
        sql,
        "SELECT generation_id::text AS id, balance_after FROM token_transactions "
        "WHERE user_id = %s AND kind = 'generation_charge'",
        (user.id,),
    )
    assert {row["id"] for row in charges} == accepted
    assert sorted(row["balance_after"] for row in charges) == list(range(10))
    assert {row["id"] for row in _generations(sql, user)} == accepted

    # When the ten have run
    finished = [support.wait_for_generation(api, user, generation_id) for generation_id in accepted]

    # Then all completed, and the balance is still 0 (nothing refunded)
    assert {item["status"] for item in finished} == {"completed"}
    assert support.balance(sql, user) == 0
    assert support.ledger_kinds(sql, user=user) == ["generation_charge"] * 10


# -- Idempotency-Key ------------------------------------------------------------------------------------


def test_the_same_idempotency_key_ten_times_at_once_makes_one_generation_charged_once(
    api: ApiClient, local_stack: Any, user: User, sql: support.Sql
):
    # Given a request with an Idempotency-Key, sent ten times at once (a client retrying eagerly)
    key = str(uuid.uuid4())
    clients = environments(local_stack, 10)

    # When they arrive
    answers = at_once([_post(client, user, A_LOOK, key) for client in clients])

    # Then each got the same accepted generation, or (while the first was still being answered) a 409 saying
    # to retry in a second
    accepted = [answer for answer in answers if answer.status == 202]
    in_flight = [answer for answer in answers if answer.status == 409]
    assert accepted, [a.body for a in answers]
    assert len(accepted) + len(in_flight) == 10, [a.body for a in answers]
    assert {(answer.error_code, answer.headers["retry-after"]) for answer in in_flight} <= {("conflict", "1")}
    ids = {answer.json()["id"] for answer in accepted}
    assert len(ids) == 1
    # And there is one generation, charged once
    [generation_id] = ids
    assert [row["id"] for row in _generations(sql, user)] == [generation_id]
    assert support.ledger_kinds(sql, user=user) == ["generation_charge"]
    assert support.balance(sql, user) == 49

    # When the same key comes once more, later, Then it is the same generation again, and no new charge
    again = api.post("/generations", A_LOOK, token=user.access_token, headers={"Idempotency-Key": key})
    assert again.status == 202
    assert again.json()["id"] == generation_id
    assert support.balance(sql, user) == 49
    support.wait_for_generation(api, user, generation_id)


def test_an_idempotency_key_reused_with_another_body_is_refused_and_costs_nothing(
    api: ApiClient, user: User, sql: support.Sql
):
    # Given a generation made with a key
    key = str(uuid.uuid4())
    first = api.post("/generations", A_LOOK, token=user.access_token, headers={"Idempotency-Key": key})
    assert first.status == 202

    # When the same key comes with a different body
    other = api.post(
        "/generations", {**A_LOOK, "prompt": "a wool scarf"}, token=user.access_token, headers={"Idempotency-Key": key}
    )

    # Then it is refused, and nothing else was made or charged
    assert other.status == 422
    assert other.error_code == "idempotency_key_reused"
    assert len(_generations(sql, user)) == 1
    assert support.balance(sql, user) == 49
    # And another user may use the same key for their own request
    someone = api.register()
    theirs = api.post("/generations", A_LOOK, token=someone.access_token, headers={"Idempotency-Key": key})
    assert theirs.status == 202
    assert theirs.json()["id"] != first.json()["id"]
    for generation_id, owner in ((first.json()["id"], user), (theirs.json()["id"], someone)):
        support.wait_for_generation(api, owner, generation_id)


# -- the in-flight limit --------------------------------------------------------------------------------


def test_a_third_generation_while_two_run_is_refused_with_retry_after_and_not_charged(
    api: ApiClient, parked: str, user: User, sql: support.Sql, monkeypatch: pytest.MonkeyPatch
):
    # Given a free user allowed two generations at once, with two running (their executions wait)
    support.set_env(monkeypatch, FREE_MAX_IN_FLIGHT="2")
    running = []
    for n in range(2):
        answer = api.post("/generations", {**A_LOOK, "prompt": f"look {n}"}, token=user.access_token)
        assert answer.status == 202
        running.append(answer.json()["id"])

    # When a third is asked for
    third = api.post("/generations", A_LOOK, token=user.access_token)

    # Then it is refused for now, with when to come back, and costs nothing
    assert third.status == 429
    assert third.error_code == "too_many_in_flight"
    assert int(third.headers["retry-after"]) > 0
    assert support.balance(sql, user) == 48
    assert len(_generations(sql, user)) == 2

    # When one of the two is cancelled, Then there is room again
    assert api.post(f"/generations/{running[0]}/cancel", token=user.access_token).status == 200
    fourth = api.post("/generations", A_LOOK, token=user.access_token)
    assert fourth.status == 202
    for generation_id in (running[1], fourth.json()["id"]):
        assert api.post(f"/generations/{generation_id}/cancel", token=user.access_token).status == 200


def test_ten_requests_at_once_with_room_for_two_start_exactly_two(
    local_stack: Any, api: ApiClient, parked: str, user: User, sql: support.Sql, monkeypatch: pytest.MonkeyPatch
):
    # Given a free user allowed two generations at once, and none running
    support.set_env(monkeypatch, FREE_MAX_IN_FLIGHT="2")

    # When ten are asked for at once
    answers = at_once([_post(client, user, A_LOOK) for client in environments(local_stack, 10)])

    # Then two were accepted, eight refused as too many in flight, and only two charged
    assert Counter(answer.status for answer in answers) == {202: 2, 429: 8}
    assert {answer.error_code for answer in answers if answer.status == 429} == {"too_many_in_flight"}
    assert support.balance(sql, user) == 48
    for answer in answers:
        if answer.status == 202:
            assert api.post(f"/generations/{answer.json()['id']}/cancel", token=user.access_token).status == 200


# -- a start that fails ---------------------------------------------------------------------------------


def test_a_generation_that_cannot_start_answers_503_failed_and_already_refunded(
    api: ApiClient,
    user: User,
    sql: support.Sql,
    sfn: Any,
    real_state_machine: str,
    monkeypatch: pytest.MonkeyPatch,
    flow_checks: FlowChecks,
):
    # Given Step Functions refuses to start the execution (the state machine is not there)
    missing = real_state_machine.rsplit(":", 1)[0] + ":imagify-generation-missing"
    support.set_env(monkeypatch, STATE_MACHINE_ARN=missing)

    # When the user asks for a generation
    answer = api.post("/generations", A_LOOK, token=user.access_token)

    # Then the answer is 503, and by then the generation is failed and the token back
    assert answer.status == 503
    assert answer.error_code == "service_unavailable"
    assert "refunded" in answer.json()["error"]["message"]
    assert support.balance(sql, user) == 50
    [generation] = _generations(sql, user)
    assert generation["status"] == "failed"
    assert support.ledger_kinds(sql, generation_id=generation["id"]) == ["generation_charge", "generation_refund"]
    shown = api.get(f"/generations/{generation['id']}", token=user.access_token).json()
    assert shown["status"] == "failed"
    assert shown["tokensCharged"] == 0
    assert "could not be started" in shown["errorMessage"]


def test_a_retry_with_the_same_idempotency_key_after_a_503_starts_the_generation(
    api: ApiClient, user: User, sql: support.Sql, real_state_machine: str, monkeypatch: pytest.MonkeyPatch
):
    # Given a request with a key that got a 503 because the execution could not be started
    key = str(uuid.uuid4())
    missing = real_state_machine.rsplit(":", 1)[0] + ":imagify-generation-missing"
    support.set_env(monkeypatch, STATE_MACHINE_ARN=missing)
    first = api.post("/generations", A_LOOK, token=user.access_token, headers={"Idempotency-Key": key})
    assert first.status == 503

    # When Step Functions is back and the client retries with the same key, as the 503 invites
    support.set_env(monkeypatch, STATE_MACHINE_ARN=real_state_machine)
    retry = api.post("/generations", A_LOOK, token=user.access_token, headers={"Idempotency-Key": key})

    # Then the retry is a new generation that starts and is charged, not the failed one again
    assert retry.status == 202, retry.body
    assert retry.json()["status"] == "pending"
    done = support.wait_for_generation(api, user, retry.json()["id"])
    assert done["status"] == "completed"
    assert support.balance(sql, user) == 49
    # And further retries with that key get this generation
    again = api.post("/generations", A_LOOK, token=user.access_token, headers={"Idempotency-Key": key})
    assert again.status == 202
    assert again.json()["id"] == done["id"]
