"""The one ``Idempotency-Key`` protocol of the creates (``imagify.idempotency``): a key still in flight, and a
key reused with another body, get the same answers on every route that takes it; a key answered
before gets the first answer again."""

from __future__ import annotations

import pytest

from imagify import idempotency
from tests.support.api import ApiClient
from tests.support.sql import Sql, scalar

# Each create, a body, and what its key's hash covers (the body with every field, as the API model has it).
CREATES = [
    pytest.param(
        "generations.create",
        "/generations",
        {"mode": "from_prompt", "prompt": "a camel trench coat"},
        {
            "mode": "from_prompt",
            "prompt": "a camel trench coat",
            "userPhotoUrl": None,
            "itemPhotoUrl": None,
            "garments": None,
            "options": None,
            "quality": "standard",
            "deadlineSeconds": None,
            "count": 1,
        },
        id="generations",
    ),
    pytest.param(
        "advisor.ask",
        "/advisor",
        {"message": "What should I wear to a garden party?"},
        {"message": "What should I wear to a garden party?", "userPhotoUrl": None},
        id="advisor",
    ),
    pytest.param(
        "uploads.create",
        "/uploads",
        {"purpose": "user_photo", "contentType": "image/png", "contentLength": 1000},
        {"purpose": "user_photo", "contentType": "image/png", "contentLength": 1000},
        id="uploads",
    ),
]


@pytest.mark.parametrize(("operation", "path", "body", "hashed"), CREATES)
def test_a_key_in_flight_is_409_with_retry_after_1_and_costs_nothing(
    api: ApiClient, sql: Sql, operation: str, path: str, body: dict[str, object], hashed: dict[str, object]
):
    # Given a key whose first request is still being answered (claimed, no answer stored yet)
    user = api.register()
    _claim(sql, user.id, operation, "k-1", hashed)
    headers = {"Idempotency-Key": "k-1"}

    # When the same request comes with it, Then it is a 409 conflict saying to retry in a second, costing nothing
    answer = api.post(path, body, token=user.access_token, headers=headers)
    assert (answer.status, answer.error_code, answer.header("retry-after")) == (409, "conflict", "1"), answer.body
    assert scalar(sql, "SELECT tokens FROM users WHERE id = %s", (user.id,)) == 50

    # And another body with the key is refused, as ever
    other = api.post(path, _another(body), token=user.access_token, headers=headers)
    assert (other.status, other.error_code) == (422, "idempotency_key_reused")


def test_an_upload_ticket_asked_again_with_its_key_is_the_first_ticket_again(api: ApiClient, sql: Sql):
    # Given a ticket asked for with a key
    user = api.register()
    body = {"purpose": "user_photo", "contentType": "image/png", "contentLength": 1000}
    headers = {"Idempotency-Key": "ticket-1"}
    first = api.post("/uploads", body, token=user.access_token, headers=headers)
    assert first.status == 201, first.body

    # When it is asked for again with the key, Then it is the same answer, stored once
    again = api.post("/uploads", body, token=user.access_token, headers=headers)
    assert (again.status, again.json()) == (201, first.json())
    assert scalar(sql, "SELECT response_status FROM idempotency_keys WHERE user_id = %s", (user.id,)) == 201
    # And without a key each ask is a ticket of its own
    fresh = [api.post("/uploads", body, token=user.access_token).json()["uploadRef"] for _ in range(2)]
    assert len({first.json()["uploadRef"], *fresh}) == 3


def _another(body: dict[str, object]) -> dict[str, object]:
    if "prompt" in body:
        return {**body, "prompt": "a wool scarf"}
    if "message" in body:
        return {**body, "message": "And for a wedding?"}
    return {**body, "contentLength": 2000}


@pytest.mark.parametrize(("operation", "path", "body", "hashed"), CREATES)
def test_a_claim_abandoned_before_it_made_anything_is_free_again(
    api: ApiClient, sql: Sql, operation: str, path: str, body: dict[str, object], hashed: dict[str, object]
):
    # Given a key claimed longer ago than any function runs, with nothing made and no answer (a crash)
    user = api.register()
    _claim(sql, user.id, operation, "k-1", hashed, age="3 minutes")

    # When the request comes again with it, Then it is done now, as a first request is
    answer = api.post(path, body, token=user.access_token, headers={"Idempotency-Key": "k-1"})
    assert answer.status in (201, 202), answer.body
    stored = "SELECT response_status FROM idempotency_keys WHERE user_id = %s AND key = 'k-1'"
    assert scalar(sql, stored, (user.id,)) == answer.status


def test_a_generation_whose_first_request_crashed_before_answering_is_answered_not_made_again(api: ApiClient, sql: Sql):
    # Given a generation started under a key whose answer was never stored (the function crashed after the commit)
    user = api.register()
    body = {"mode": "from_prompt", "prompt": "a camel trench coat"}
    first = api.post("/generations", body, token=user.access_token, headers={"Idempotency-Key": "k-1"})
    assert first.status == 202, first.body
    sql.execute(
        "UPDATE idempotency_keys SET response_status = NULL, response_body = NULL, "
        "created_at = now() - interval '3 minutes' WHERE user_id = %s",
        (user.id,),
    )

    # When the request is retried with the key, Then it answers that generation: none made, nothing charged again
    again = api.post("/generations", body, token=user.access_token, headers={"Idempotency-Key": "k-1"})
    assert (again.status, again.json()["id"]) == (202, first.json()["id"]), again.body
    assert scalar(sql, "SELECT count(*) FROM generations WHERE user_id = %s", (user.id,)) == 1
    assert scalar(sql, "SELECT count(*) FROM token_transactions WHERE user_id = %s AND delta < 0", (user.id,)) == 1


def _claim(sql: Sql, user_id: object, operation: str, key: str, hashed: dict[str, object], age: str = "0") -> None:
    sql.execute(
        "INSERT INTO idempotency_keys (user_id, operation, key, request_hash, created_at) "
        "VALUES (%s, %s, %s, %s, now() - %s::interval)",
        (user_id, operation, key, idempotency.request_hash(hashed), age),
    )
