"""Webhooks as a user's server meets them: registered through the API on the local stack, sent by the real
delivery state machine (moto's ASL engine over the real task function), received on loopback by a receiver
that verifies every signature with the ``standardwebhooks`` package."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.fakes.http import Reply
from tests.fakes.webhooks import Receiver, header, receiver
from tests.integration.generations import fixtures, support
from tests.support.api import ApiClient, ApiResponse, User

flow_checks = fixtures.flow_checks
user = fixtures.user
other_user = fixtures.other_user
sfn = fixtures.sfn
parked = fixtures.parked
real_state_machine = fixtures.real_state_machine
task_functions = fixtures.task_functions

EVENTS = ["generation.completed", "generation.failed", "batch.completed"]
LOOK = {"mode": "from_prompt", "prompt": "a red coat"}


@pytest.fixture
def hooks(flow_checks: Any, local_stack: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A receiver on loopback, and retries in seconds rather than minutes."""
    support.set_env(monkeypatch, WEBHOOK_RETRY_SCHEDULE_S="1", WEBHOOK_RETRY_FOR_S="20", WEBHOOK_TIMEOUT_S="2")
    with receiver() as server:
        yield server
        support.wait_for_executions(local_stack.aws.client("stepfunctions"), parked=False)


@pytest.fixture
def other_hooks(hooks: Receiver, local_stack: Any) -> Iterator[Receiver]:
    """A second receiver (another user's server, or where a redirect points)."""
    with receiver() as server:
        yield server
        support.wait_for_executions(local_stack.aws.client("stepfunctions"), parked=False)


class Resolver:
    """``socket.getaddrinfo`` for this process, with some names answered as a test says (others resolve as usual):
    a DNS name whose owner can point it anywhere, whenever they like."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.names: dict[str, str] = {}

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.names:
            return self.real(host, port, *args, **kwargs)
        number = int(port) if port is not None else 0
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (self.names[name], number))]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    resolver = Resolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return resolver


# -- helpers --------------------------------------------------------------------------------------------


def _register(api: ApiClient, user: User, url: str, events: list[str] | None = None) -> dict[str, Any]:
    answer = api.post("/webhooks", {"url": url, "events": events or EVENTS}, token=user.access_token)
    assert answer.status == 201, answer.body
    created: dict[str, Any] = answer.json()
    return created


def _generate(api: ApiClient, user: User, **extra: Any) -> dict[str, Any]:
    answer = api.post("/generations", {**LOOK, **extra}, token=user.access_token)
    assert answer.status == 202, answer.body
    started: dict[str, Any] = answer.json()
    return started


def _deliveries(api: ApiClient, user: User, channel: str) -> list[dict[str, Any]]:
    answer = api.get(f"/webhooks/{channel}/deliveries", token=user.access_token)
    assert answer.status == 200, answer.body
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _settled(api: ApiClient, user: User, channel: str, count: int = 1, timeout_s: float = 30) -> list[dict[str, Any]]:
    """The channel's delivery log once it holds ``count`` deliveries, none of them pending any more."""
    deadline = time.monotonic() + timeout_s
    while True:
        items = _deliveries(api, user, channel)
        if len(items) == count and all(item["status"] != "pending" for item in items):
            return items
        if time.monotonic() > deadline:
            raise AssertionError(f"the delivery log of {channel} did not settle: {items}")
        time.sleep(0.1)


def _redeliver(api: ApiClient, user: User, channel: str, delivery_id: str) -> ApiResponse:
    return api.post(f"/webhooks/{channel}/deliveries/{delivery_id}/redeliver", token=user.access_token)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _refused(answer: ApiResponse, field: str = "url") -> str:
    """The reason a 422 gives for refusing a URL in ``field``."""
    assert (answer.status, answer.error_code) == (422, "validation_error"), answer.body
    [detail] = answer.json()["error"]["details"]
    assert detail["loc"] == ["body", field], detail
    reason: str = detail["msg"]
    return reason


# -- delivery -------------------------------------------------------------------------------------------


def test_a_completed_generation_is_delivered_once_signed_as_the_specification_says(
    api: ApiClient, user: User, hooks: Receiver
):
    # Given an endpoint, whose secret the receiver holds
    endpoint = _register(api, user, hooks.url + "/imagify")
    secret = endpoint["secret"]
    assert secret.startswith("whsec_")
    hooks.trust(secret)

    # When a look is generated
    created = _generate(api, user)
    support.wait_for_generation(api, user, created["id"])
    receipts = hooks.wait_for(1)

    # Then the receiver got it once, at the path registered, signed with that secret
    assert [r.verified for r in receipts] == [True]
    [receipt] = receipts
    assert (receipt.request.method, receipt.request.path) == ("POST", "/imagify")
    payload = receipt.payload
    assert payload["type"] == "generation.completed"
    assert payload["data"]["generationId"] == created["id"]
    assert payload["data"]["status"] == "completed"
    assert payload["data"]["errorCode"] is None
    # And it is small, links to the image rather than carrying it
    assert len(receipt.request.raw) < 1024, receipt.request.raw
    assert b"base64" not in receipt.request.raw.lower()
    assert b"iVBOR" not in receipt.request.raw  # (a PNG's base64)
    assert payload["data"]["links"] == {
        "generation": f"/generations/{created['id']}",
        "image": f"/generations/{created['id']}/image",
    }
    _instant(payload["timestamp"])

    # And the delivery log says it succeeded at the first attempt, under the id the receiver saw
    [delivery] = _settled(api, user, endpoint["id"])
    assert delivery["status"] == "succeeded"
    assert (delivery["attempts"], delivery["lastStatusCode"], delivery["lastError"]) == (1, 204, None)
    assert delivery["eventId"] == receipt.webhook_id
    assert (delivery["eventType"], delivery["subjectId"]) == ("generation.completed", created["id"])
    assert delivery["deliveredAt"] is not None and delivery["nextAttemptAt"] is None

    # And the secret is never shown again: not by the endpoint, the list or the log
    for path in (f"/webhooks/{endpoint['id']}", "/webhooks", f"/webhooks/{endpoint['id']}/deliveries"):
        answer = api.get(path, token=user.access_token)
        assert answer.status == 200, answer.body
        assert secret not in answer.text and secret.removeprefix("whsec_") not in answer.text
        assert '"secret"' not in answer.text
    assert [item["id"] for item in api.get("/webhooks", token=user.access_token).json()["items"]] == [endpoint["id"]]


def test_a_cancelled_generation_is_delivered_as_failed_with_its_error_code(
    api: ApiClient, user: User, hooks: Receiver, parked: str
):
    # Given an endpoint, and a generation that stays pending
    endpoint = _register(api, user, hooks.url + "/imagify")
    hooks.trust(endpoint["secret"])
    created = _generate(api, user)

    # When the user cancels it
    cancelled = api.post(f"/generations/{created['id']}/cancel", token=user.access_token)
    assert cancelled.status == 200, cancelled.body
    assert cancelled.json()["status"] == "failed"

    # Then the receiver is told it failed, as cancelled, with no image to link to
    [receipt] = hooks.wait_for(1)
    assert receipt.verified
    assert receipt.payload["type"] == "generation.failed"
    data = receipt.payload["data"]
    assert (data["generationId"], data["status"], data["errorCode"]) == (created["id"], "failed", "cancelled")
    assert data["links"] == {"generation": f"/generations/{created['id']}", "image": None}
    [delivery] = _settled(api, user, endpoint["id"])
    assert (delivery["eventType"], delivery["status"]) == ("generation.failed", "succeeded")


def test_a_delivery_is_retried_after_a_500_a_timeout_and_a_redirect_with_the_same_id_until_it_succeeds(
    api: ApiClient, user: User, hooks: Receiver, other_hooks: Receiver, monkeypatch: pytest.MonkeyPatch
):
    # Given a receiver that answers 500, then too late, then with a redirect elsewhere, then 200
    support.set_env(monkeypatch, WEBHOOK_TIMEOUT_S="1")
    elsewhere = other_hooks
    endpoint = _register(api, user, hooks.url + "/imagify")
    hooks.trust(endpoint["secret"])
    elsewhere.trust(endpoint["secret"])
    hooks.script(
        Reply(500, {"error": "down"}),
        Reply(200, b"", delay_s=2.5),
        Reply(302, b"", headers={"Location": elsewhere.url + "/stolen"}),
        Reply(200, b""),
    )

    # When a look is generated
    created = _generate(api, user)
    hooks.wait_for(1)

    # Then while it is being retried it cannot be redelivered
    [pending] = _deliveries(api, user, endpoint["id"])
    assert pending["status"] == "pending"
    early = _redeliver(api, user, endpoint["id"], pending["id"])
    assert (early.status, early.error_code) == (409, "conflict"), early.body

    # And it took four attempts, each the same event under the same webhook-id and body, each signed
    receipts = hooks.wait_for(4)
    [delivery] = _settled(api, user, endpoint["id"])
    assert len(receipts) == 4
    assert all(r.verified for r in receipts)
    assert {r.webhook_id for r in receipts} == {delivery["eventId"]}
    assert len({r.request.raw for r in receipts}) == 1
    stamps = [int(header(r.request, "webhook-timestamp") or 0) for r in receipts]
    assert stamps == sorted(stamps) and stamps[-1] - stamps[0] >= 2, stamps  # (each attempt signed afresh)
    assert receipts[0].payload["data"]["generationId"] == created["id"]
    # And the log says it succeeded at the fourth
    assert delivery["status"] == "succeeded"
    assert (delivery["attempts"], delivery["lastStatusCode"], delivery["lastError"]) == (4, 200, None)
    # And the redirect was not followed
    assert (elsewhere.receipts, elsewhere.connections) == ([], 0)
    # And a receiver that de-duplicates by webhook-id handled the event once (the late answer's attempt; the
    # receiver did its work before our timeout gave up on it)
    assert [r.duplicate for r in receipts] == [False, False, True, True]
    assert [event["data"]["generationId"] for event in hooks.handled] == [created["id"]]

    # When the user redelivers it
    again = _redeliver(api, user, endpoint["id"], delivery["id"])

    # Then it is pending again and sent under the same webhook-id, which the receiver knows as a duplicate
    assert again.status == 202, again.body
    assert again.json()["id"] == delivery["id"] and again.json()["status"] == "pending"
    fifth = hooks.wait_for(5)[4]
    assert (fifth.verified, fifth.webhook_id, fifth.duplicate) == (True, delivery["eventId"], True)
    assert len(hooks.handled) == 1
    [redelivered] = _settled(api, user, endpoint["id"])
    assert (redelivered["status"], redelivered["lastStatusCode"]) == ("succeeded", 200)


def test_after_a_rotation_a_delivery_verifies_with_the_new_secret_alone_and_with_the_old_one_alone(
    api: ApiClient, user: User, hooks: Receiver
):
    # Given an endpoint whose receiver holds its secret
    endpoint = _register(api, user, hooks.url + "/imagify")
    old = endpoint["secret"]

    # When the secret is rotated
    rotated = api.post(f"/webhooks/{endpoint['id']}/rotate-secret", token=user.access_token)

    # Then a new secret is shown once, and the old one keeps signing for about a day
    assert rotated.status == 200, rotated.body
    body = rotated.json()
    new = body["secret"]
    assert body["id"] == endpoint["id"]
    assert new.startswith("whsec_") and new != old
    expires = _instant(body["previousSecretExpiresAt"])
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=1)
    assert new not in api.get(f"/webhooks/{endpoint['id']}", token=user.access_token).text

    # When a look is generated, received by a receiver that switched to the new secret
    hooks.trust(new)
    _generate(api, user)
    [receipt] = hooks.wait_for(1)

    # Then it carries two signatures, and verifies with either secret alone (and not with another one)
    assert receipt.verified
    assert len(receipt.signatures) == 2 and all(s.startswith("v1,") for s in receipt.signatures)
    assert receipt.verifies_with(new)
    assert receipt.verifies_with(old)
    other = _register(api, user, hooks.url + "/other", ["batch.completed"])["secret"]
    assert not receipt.verifies_with(other)


def test_an_endpoint_that_keeps_failing_is_disabled_its_owner_is_mailed_and_it_can_be_enabled_again(
    api: ApiClient,
    user: User,
    hooks: Receiver,
    sfn: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
):
    # Given an endpoint that always answers 500, and a deployment that disables one failing for a second
    support.set_env(monkeypatch, WEBHOOK_DISABLE_AFTER_S="1")
    endpoint = _register(api, user, hooks.url + "/broken")
    hooks.trust(endpoint["secret"])
    hooks.script(Reply(500, {"error": "down"}))

    # When a look is generated, and its delivery fails for more than that
    _generate(api, user)
    support.wait_for(
        lambda: not api.get(f"/webhooks/{endpoint['id']}", token=user.access_token).json()["enabled"],
        timeout_s=20,
        what="the endpoint to be disabled",
    )

    # Then the endpoint is disabled as failing, and its delivery gave up
    found = api.get(f"/webhooks/{endpoint['id']}", token=user.access_token).json()
    assert (found["enabled"], found["disabledReason"]) == (False, "failing")
    assert found["failingSince"] is not None
    [delivery] = _settled(api, user, endpoint["id"])
    assert (delivery["status"], delivery["lastStatusCode"], delivery["lastError"]) == ("failed", 500, "answered 500")
    assert delivery["attempts"] >= 2
    sent = len(hooks.receipts)
    # And its owner was mailed, naming the endpoint
    support.wait_for_executions(sfn, parked=False)
    mail = capfd.readouterr().err
    assert f"[local mail] to {user.email}: Imagify disabled one of your webhook endpoints" in mail
    assert endpoint["url"] in mail
    # And nothing more was sent to it
    assert len(hooks.receipts) == sent
    # And a redelivery is refused while it is disabled
    refused = _redeliver(api, user, endpoint["id"], delivery["id"])
    assert (refused.status, refused.error_code) == (409, "conflict"), refused.body

    # When the receiver is fixed, and its owner enables it again
    hooks.answer()
    enabled = api.patch(f"/webhooks/{endpoint['id']}", {"enabled": True}, token=user.access_token)

    # Then it is enabled, with no reason to be disabled and no failing streak
    assert enabled.status == 200, enabled.body
    assert (enabled.json()["enabled"], enabled.json()["disabledReason"], enabled.json()["failingSince"]) == (
        True,
        None,
        None,
    )
    # And what it missed can be redelivered, and is
    assert _redeliver(api, user, endpoint["id"], delivery["id"]).status == 202
    assert hooks.wait_for(sent + 1)[sent].verified
    [redelivered] = _settled(api, user, endpoint["id"])
    assert (redelivered["status"], redelivered["lastStatusCode"]) == ("succeeded", 204)


# -- where webhooks may not go --------------------------------------------------------------------------

REFUSED = [
    ("http://10.0.0.1/x", "a private address (10.0.0.1)"),
    ("https://192.168.1.1/", "a private address (192.168.1.1)"),
    ("https://169.254.169.254/latest/meta-data", "the cloud metadata service's address"),
    ("https://[fd00:ec2::254]/", "the cloud metadata service's address"),
    ("https://100.64.0.1/", "a shared (carrier-grade NAT) address"),
    ("https://no-such-host.invalid/hooks", "does not resolve"),
]


def test_a_url_inside_a_network_or_one_that_does_not_resolve_is_refused_at_registration(
    api: ApiClient, user: User, hooks: Receiver
):
    # When each URL is registered, Then each is refused, naming body.url and why
    for url, why in REFUSED:
        answer = api.post("/webhooks", {"url": url, "events": EVENTS}, token=user.access_token)
        assert why in _refused(answer), (url, answer.body)
        assert why in answer.json()["error"]["message"], (url, answer.body)
    # And none was kept
    assert api.get("/webhooks", token=user.access_token).json()["items"] == []

    # And an endpoint's URL cannot be changed to one either
    endpoint = _register(api, user, hooks.url + "/imagify")
    changed = api.patch(
        f"/webhooks/{endpoint['id']}", {"url": "https://169.254.169.254/latest/meta-data"}, token=user.access_token
    )
    assert "metadata" in _refused(changed)
    assert api.get(f"/webhooks/{endpoint['id']}", token=user.access_token).json()["url"] == endpoint["url"]


def test_without_the_local_stacks_allowance_loopback_and_plain_http_are_refused(
    api: ApiClient, user: User, hooks: Receiver, monkeypatch: pytest.MonkeyPatch
):
    # Given the setting as in AWS
    support.set_env(monkeypatch, WEBHOOK_ALLOW_LOOPBACK_HTTP="false")

    # When a loopback receiver is registered, over http or https, Then it is refused
    assert "https" in _refused(
        api.post("/webhooks", {"url": hooks.url + "/x", "events": EVENTS}, token=user.access_token)
    )
    over_tls = api.post("/webhooks", {"url": "https://127.0.0.1/x", "events": EVENTS}, token=user.access_token)
    assert "a loopback address (127.0.0.1)" in _refused(over_tls)
    # And a name for it too
    named = api.post("/webhooks", {"url": "https://localhost/x", "events": EVENTS}, token=user.access_token)
    assert "loopback" in _refused(named)


@pytest.mark.parametrize(
    ("inside", "kind"), [("10.0.0.1", "a private address"), ("127.0.0.1", "a loopback address")], ids=["vpc", "lo"]
)
def test_a_name_rebound_inside_after_registration_is_not_delivered_to_and_the_delivery_gives_up(
    api: ApiClient,
    user: User,
    hooks: Receiver,
    dns: Resolver,
    monkeypatch: pytest.MonkeyPatch,
    inside: str,
    kind: str,
):
    # Given a deployment as in AWS (no loopback), retrying for two seconds
    support.set_env(monkeypatch, WEBHOOK_ALLOW_LOOPBACK_HTTP="false", WEBHOOK_RETRY_FOR_S="2")
    # And a name that resolves to a public address when it is registered (on the receiver's port)
    dns.names["rebind.example"] = "93.184.215.14"
    url = f"https://rebind.example:{urlsplit(hooks.url).port}/hooks"
    endpoint = _register(api, user, url)

    # When the name is pointed inside, and a look is generated
    dns.names["rebind.example"] = inside
    _generate(api, user)

    # Then the delivery gives up, saying why, having sent nothing (no connection to the receiver at all)
    [delivery] = _settled(api, user, endpoint["id"], timeout_s=20)
    assert delivery["status"] == "failed"
    assert delivery["lastError"] == f"the host resolves to {kind} ({inside}), which webhooks may not reach"
    assert delivery["lastStatusCode"] is None and delivery["attempts"] >= 1
    assert (hooks.receipts, hooks.connections) == ([], 0)


# -- whose is what --------------------------------------------------------------------------------------


def test_nothing_of_one_users_webhooks_reaches_or_is_reachable_by_another(
    api: ApiClient,
    user: User,
    other_user: User,
    hooks: Receiver,
    other_hooks: Receiver,
    sfn: Any,
    sql: support.Sql,
):
    # Given two users, each with an endpoint on a receiver of their own, and each with a delivered look
    mine = _register(api, user, hooks.url + "/mine")
    theirs = _register(api, other_user, other_hooks.url + "/theirs")
    hooks.trust(mine["secret"])
    other_hooks.trust(theirs["secret"])
    my_look = _generate(api, user)
    their_look = _generate(api, other_user)
    hooks.wait_for(1)
    other_hooks.wait_for(1)
    assert support.wait_for_executions(sfn, parked=False) == []

    # Then each user's look went to their own endpoint only
    assert [(r.verified, r.payload["data"]["generationId"]) for r in hooks.receipts] == [(True, my_look["id"])]
    assert [(r.verified, r.payload["data"]["generationId"]) for r in other_hooks.receipts] == [(True, their_look["id"])]
    [my_delivery] = _settled(api, user, mine["id"])

    # When the other user reaches for the first user's endpoint and its delivery every way there is
    token = other_user.access_token
    base = f"/webhooks/{mine['id']}"
    attempts = {
        "get": api.get(base, token=token),
        "patch": api.patch(base, {"enabled": False}, token=token),
        "delete": api.delete(base, token=token),
        "rotate": api.post(f"{base}/rotate-secret", token=token),
        "deliveries": api.get(f"{base}/deliveries", token=token),
        "redeliver": _redeliver(api, other_user, mine["id"], my_delivery["id"]),
        "redeliver through their own endpoint": _redeliver(api, other_user, theirs["id"], my_delivery["id"]),
        "redeliver through default": _redeliver(api, other_user, "default", my_delivery["id"]),
    }

    # Then each is a 404, as for something that does not exist
    assert {name: (a.status, a.error_code) for name, a in attempts.items()} == dict.fromkeys(
        attempts, (404, "not_found")
    )
    # And their list and logs show only their own
    assert [item["id"] for item in api.get("/webhooks", token=token).json()["items"]] == [theirs["id"]]
    assert [d["subjectId"] for d in _deliveries(api, other_user, theirs["id"])] == [their_look["id"]]
    assert _deliveries(api, other_user, "default") == []
    # And the first user's endpoint is as it was: enabled, not rotated, not redelivered
    found = api.get(base, token=user.access_token).json()
    assert found["enabled"] is True
    assert support.scalar(sql, "SELECT previous_secret FROM webhook_endpoints WHERE id = %s", (mine["id"],)) is None
    assert support.wait_for_executions(sfn, parked=False) == []
    assert len(hooks.receipts) == 1
    # And the other way round too
    assert api.get(f"/webhooks/{theirs['id']}", token=user.access_token).status == 404


# -- exactly once ---------------------------------------------------------------------------------------


def test_completing_a_generation_again_makes_no_second_event_or_delivery(
    api: ApiClient, user: User, hooks: Receiver, task_functions: fixtures.Tasks, sfn: Any, sql: support.Sql
):
    # Given a look whose completion was delivered
    endpoint = _register(api, user, hooks.url + "/imagify")
    hooks.trust(endpoint["secret"])
    created = _generate(api, user)
    support.wait_for_generation(api, user, created["id"])
    hooks.wait_for(1)

    # When Step Functions delivers its MarkCompleted task again
    task_functions("MarkCompleted", created["id"])
    assert support.wait_for_executions(sfn, parked=False) == []

    # Then there is still one event and one delivery, and the receiver got it once
    assert support.scalar(sql, "SELECT count(*) FROM webhook_events WHERE subject_id = %s", (created["id"],)) == 1
    assert support.scalar(sql, "SELECT count(*) FROM webhook_deliveries WHERE user_id = %s", (user.id,)) == 1
    assert len(hooks.receipts) == 1
    [delivery] = _settled(api, user, endpoint["id"])
    assert (delivery["status"], delivery["attempts"]) == ("succeeded", 1)


def test_a_batch_makes_one_event_per_look_and_one_batch_completed_naming_both(
    api: ApiClient, user: User, hooks: Receiver, sfn: Any, sql: support.Sql
):
    # Given an endpoint
    endpoint = _register(api, user, hooks.url + "/imagify")
    hooks.trust(endpoint["secret"])

    # When two looks are asked for at once
    started = _generate(api, user, count=2)
    looks = [look["id"] for look in started["looks"]]
    assert len(looks) == 2
    batch_id = started["batchId"]
    for look in looks:
        support.wait_for_generation(api, user, look)
    hooks.wait_for(3)
    assert support.wait_for_executions(sfn, parked=False) == []

    # Then the receiver got each look's completion, and one batch.completed naming both looks
    assert all(r.verified for r in hooks.receipts)
    by_type: dict[str, list[Any]] = {}
    for receipt in hooks.receipts:
        by_type.setdefault(receipt.payload["type"], []).append(receipt.payload["data"])
    assert sorted(d["generationId"] for d in by_type["generation.completed"]) == sorted(looks)
    assert {d["batchId"] for d in by_type["generation.completed"]} == {batch_id}
    [batch] = by_type["batch.completed"]
    assert batch["batchId"] == batch_id
    assert (batch["completed"], batch["failed"]) == (2, 0)
    assert sorted(g["generationId"] for g in batch["generations"]) == sorted(looks)
    assert {g["status"] for g in batch["generations"]} == {"completed"}
    # And the tables hold exactly those events, each delivered once
    kinds = support.rows(
        sql, "SELECT type, count(*) AS n FROM webhook_events WHERE user_id = %s GROUP BY type", (user.id,)
    )
    assert {row["type"]: row["n"] for row in kinds} == {"generation.completed": 2, "batch.completed": 1}
    assert len(hooks.receipts) == 3
    log = _settled(api, user, endpoint["id"], count=3)
    assert {d["status"] for d in log} == {"succeeded"}
    # And the log pages through them newest first, one at a time, each once
    paged, cursor = [], None
    for _ in range(4):
        query = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        answer = api.get(f"/webhooks/{endpoint['id']}/deliveries", token=user.access_token, query=query)
        assert answer.status == 200, answer.body
        paged += answer.json()["items"]
        cursor = answer.json()["nextCursor"]
        if cursor is None:
            break
    assert [d["id"] for d in paged] == [d["id"] for d in log]


# -- the one-off URL ------------------------------------------------------------------------------------


def test_a_one_off_webhook_url_needs_the_default_secret_and_is_then_delivered_signed_with_it(
    api: ApiClient, user: User, hooks: Receiver, sql: support.Sql
):
    url = hooks.url + "/one-off?ref=42"

    # When a look names a webhookUrl inside a network, Then it is refused whatever the account has
    inside = api.post("/generations", {**LOOK, "webhookUrl": "https://10.0.0.1/hooks"}, token=user.access_token)
    assert "a private address (10.0.0.1)" in _refused(inside, "webhookUrl")

    # When a look names a webhookUrl before the account has a webhook secret
    early = api.post("/generations", {**LOOK, "webhookUrl": url}, token=user.access_token)

    # Then it is refused, naming the field and the way out, and costs nothing
    assert _refused(early, "webhookUrl") == "no signing secret yet"
    assert "/webhooks/default/rotate-secret" in early.json()["error"]["message"]
    assert support.balance(sql, user) == 50
    assert support.scalar(sql, "SELECT count(*) FROM generations") == 0

    # When the account's secret is made, and a look names the URL
    made = api.post("/webhooks/default/rotate-secret", token=user.access_token)
    assert made.status == 200, made.body
    assert made.json()["id"] == "default" and made.json()["previousSecretExpiresAt"] is None
    hooks.trust(made.json()["secret"])
    created = _generate(api, user, webhookUrl=url)
    support.wait_for_generation(api, user, created["id"])

    # Then the URL is sent its completion, signed with the account's secret
    [receipt] = hooks.wait_for(1)
    assert receipt.verified
    assert receipt.request.path == "/one-off?ref=42"
    assert receipt.payload["data"]["generationId"] == created["id"]
    # And the default log lists it, with its URL
    [delivery] = _settled(api, user, "default")
    assert (delivery["url"], delivery["status"], delivery["subjectId"]) == (url, "succeeded", created["id"])
    assert delivery["eventId"] == receipt.webhook_id
    assert api.get("/webhooks", token=user.access_token).json()["items"] == []


# -- limits and validation ------------------------------------------------------------------------------


def test_the_eleventh_endpoint_an_empty_patch_and_a_repeated_event_are_refused(
    api: ApiClient, user: User, hooks: Receiver
):
    # Given ten endpoints
    made = [_register(api, user, f"{hooks.url}/{n}") for n in range(10)]

    # When an eleventh is registered, Then 409
    eleventh = api.post("/webhooks", {"url": hooks.url + "/10", "events": EVENTS}, token=user.access_token)
    assert (eleventh.status, eleventh.error_code) == (409, "conflict"), eleventh.body
    assert len(api.get("/webhooks", token=user.access_token, query={"limit": 50}).json()["items"]) == 10

    # And the list pages through all ten, newest first
    paged, cursor = [], None
    for _ in range(4):
        query = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        answer = api.get("/webhooks", token=user.access_token, query=query)
        assert answer.status == 200, answer.body
        paged += answer.json()["items"]
        cursor = answer.json()["nextCursor"]
        if cursor is None:
            break
    assert [item["id"] for item in paged] == [item["id"] for item in reversed(made)]

    # When an endpoint is patched with nothing, Then 422
    empty = api.patch(f"/webhooks/{made[0]['id']}", {}, token=user.access_token)
    assert (empty.status, empty.error_code) == (422, "validation_error"), empty.body

    # When an event is named twice (registering or changing), Then 422 naming events
    deleted = api.delete(f"/webhooks/{made[-1]['id']}", token=user.access_token)
    assert deleted.status == 204, deleted.body
    assert api.get(f"/webhooks/{made[-1]['id']}", token=user.access_token).status == 404
    assert api.get(f"/webhooks/{made[-1]['id']}/deliveries", token=user.access_token).status == 404
    twice = ["generation.completed", "generation.completed"]
    for answer in (
        api.post("/webhooks", {"url": hooks.url + "/x", "events": twice}, token=user.access_token),
        api.patch(f"/webhooks/{made[0]['id']}", {"events": twice}, token=user.access_token),
    ):
        assert (answer.status, answer.error_code) == (422, "validation_error"), answer.body
        assert any("events" in detail["loc"] for detail in answer.json()["error"]["details"]), answer.body
    assert len(api.get("/webhooks", token=user.access_token, query={"limit": 50}).json()["items"]) == 9


# -- the cleanup ----------------------------------------------------------------------------------------


def test_the_cleanup_starts_what_another_writer_ended_and_deletes_events_past_thirty_days(
    api: ApiClient, user: User, hooks: Receiver, parked: str, local_stack: Any, sql: support.Sql
):
    # Given an endpoint, and two looks still pending
    endpoint = _register(api, user, hooks.url + "/imagify")
    hooks.trust(endpoint["secret"])
    first, second = _generate(api, user)["id"], _generate(api, user)["id"]

    def end_elsewhere(generation_id: str) -> None:
        """Another writer (the frontend, an operator) ends a generation: no flow, no task, no notify."""
        sql.execute(
            "UPDATE generations SET status = 'completed', result_image_base64 = 'x' WHERE id = %s", (generation_id,)
        )

    def cleanup() -> dict[str, int]:
        counts: dict[str, int] = local_stack.runtime.invoke("CleanupFunction", {})
        return counts

    # When another writer completes the first, and the cleanup runs
    end_elsewhere(first)
    [waiting] = _deliveries(api, user, endpoint["id"])
    assert (waiting["status"], waiting["attempts"]) == ("pending", 0)
    assert hooks.receipts == []
    counts = cleanup()

    # Then the cleanup started its delivery, and the receiver got it
    assert counts["webhook_deliveries_started"] == 1
    [receipt] = hooks.wait_for(1)
    assert receipt.verified
    assert (receipt.payload["type"], receipt.payload["data"]["generationId"]) == ("generation.completed", first)
    [delivered] = _settled(api, user, endpoint["id"])
    assert delivered["status"] == "succeeded"

    # When that event is 31 days old, another writer completes the second look, and the cleanup runs
    sql.execute(
        "UPDATE webhook_events SET created_at = now() - interval '31 days' WHERE id = %s", (delivered["eventId"],)
    )
    end_elsewhere(second)
    counts = cleanup()

    # Then the old event is gone with its delivery, and the new one is delivered
    assert (counts["webhook_events"], counts["webhook_deliveries_started"]) == (1, 1)
    assert support.scalar(sql, "SELECT count(*) FROM webhook_events WHERE id = %s", (delivered["eventId"],)) == 0
    assert support.scalar(sql, "SELECT count(*) FROM webhook_deliveries WHERE id = %s", (delivered["id"],)) == 0
    assert hooks.wait_for(2)[1].payload["data"]["generationId"] == second
    [latest] = _settled(api, user, endpoint["id"])
    assert (latest["subjectId"], latest["status"]) == (second, "succeeded")


def test_a_generation_deleted_while_running_is_delivered_as_failed_at_once_as_a_cancelled_one_is(
    api: ApiClient, user: User, hooks: Receiver, parked: str
):
    # Given an endpoint, and a generation still running
    endpoint = _register(api, user, hooks.url + "/imagify")
    hooks.trust(endpoint["secret"])
    created = _generate(api, user)

    # When the user deletes it (which cancels it first)
    gone = api.delete(f"/generations/{created['id']}", token=user.access_token)
    assert gone.status == 204, gone.body

    # Then its end was recorded for the endpoint
    [delivery] = _deliveries(api, user, endpoint["id"])
    assert (delivery["eventType"], delivery["subjectId"]) == ("generation.failed", created["id"])
    # And the receiver is told at once, as for a cancel
    receipts = hooks.wait_for(1, timeout_s=5)
    assert [(r.verified, r.payload["data"]["errorCode"]) for r in receipts] == [(True, "cancelled")]
    assert _settled(api, user, endpoint["id"])[0]["status"] == "succeeded"
