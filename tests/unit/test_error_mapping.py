"""The one map from domain errors to HTTP answers (``imagify.web``): each error's status, code and body."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
from aws_lambda_powertools.event_handler import Response

from devstack.context import LambdaContext
from devstack.events import api_event
from imagify import errors, web


def _subclasses(cls: type[errors.DomainError]) -> list[type[errors.DomainError]]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


def _body(response: Response[Any]) -> Any:
    assert isinstance(response.body, str)
    return json.loads(response.body)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (errors.InvalidInput(), 422, "validation_error"),
        (errors.Unauthorized(), 401, "unauthorized"),
        (errors.InvalidCredentials(), 401, "invalid_credentials"),
        (errors.Forbidden(), 403, "forbidden"),
        (errors.NotFound(), 404, "not_found"),
        (errors.Conflict(), 409, "conflict"),
        (errors.InvalidTransition(), 409, "conflict"),
        (errors.StoredImageUnreadable(), 409, "stored_image_unreadable"),
        (errors.EmailTaken(), 409, "email_taken"),
        (errors.InsufficientTokens(), 402, "insufficient_tokens"),
        (errors.RateLimited(), 429, "rate_limited"),
        (errors.TooManyInFlight(), 429, "too_many_in_flight"),
        (errors.PayloadTooLarge(), 413, "payload_too_large"),
        (errors.UnsupportedMediaType(), 415, "unsupported_media_type"),
        (errors.IdempotencyKeyReused(), 422, "idempotency_key_reused"),
        (errors.ServiceUnavailable(), 503, "service_unavailable"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_each_domain_error_has_its_status_and_code(error: errors.DomainError, status: int, code: str):
    response = web.domain_error_response(error)

    assert response.status_code == status
    assert _body(response) == {"error": {"code": code, "message": error.default_message, "details": []}}


def test_every_domain_error_has_a_status_of_its_own():
    unmapped = [cls.__name__ for cls in _subclasses(errors.DomainError) if cls.code not in web.STATUS_BY_CODE]

    assert unmapped == []


def test_an_error_without_a_mapped_code_is_a_400():
    assert web.domain_error_response(errors.DomainError()).status_code == 400


def test_the_message_and_details_given_are_the_ones_answered():
    details = [{"loc": ["body", "prompt"], "msg": "too long"}]

    response = web.domain_error_response(errors.InvalidInput("the prompt is too long", details=details))

    assert _body(response)["error"] == {
        "code": "validation_error",
        "message": "the prompt is too long",
        "details": details,
    }


@pytest.mark.parametrize("error", [errors.RateLimited(retry_after_s=7), errors.TooManyInFlight(retry_after_s=7)])
def test_a_throttled_answer_says_when_to_come_back(error: errors.Throttled):
    response = web.domain_error_response(error, {"X-Content-Type-Options": "nosniff"})

    assert response.headers["Retry-After"] == "7"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_answer_that_is_not_throttled_has_no_retry_after():
    assert "Retry-After" not in (web.domain_error_response(errors.NotFound()).headers or {})


# -- the resolver's handlers, around a route of its own ------------------------------------------------------


@pytest.fixture
def call() -> Any:
    app = web.resolver()
    raised: dict[str, BaseException] = {}

    @app.post("/boom")
    def boom(count: int) -> dict[str, int]:
        if "error" in raised:
            raise raised["error"]
        return {"count": count}

    def send(error: BaseException | None = None, *, body: Any = None, path: str = "/boom") -> dict[str, Any]:
        raised.clear()
        if error is not None:
            raised["error"] = error
        event = api_event("POST", path, query={"count": "1"}, body=body if body is not None else {})
        answer: dict[str, Any] = app.resolve(event, LambdaContext("boom"))
        return {**answer, "json": json.loads(answer["body"])}

    return send


def test_a_domain_error_raised_in_a_route_is_answered_from_the_map(call: Any):
    answer = call(errors.InsufficientTokens("you have 0 tokens"))

    assert answer["statusCode"] == 402
    assert answer["json"]["error"] == {"code": "insufficient_tokens", "message": "you have 0 tokens", "details": []}


def test_an_invalid_request_is_a_422_that_never_echoes_the_input():
    app = web.resolver()

    @app.post("/count")
    def count(value: int) -> dict[str, int]:
        return {"value": value}

    event = api_event("POST", "/count", query={"value": "s3cret-not-a-number"}, body={})
    reply = app.resolve(event, LambdaContext("count"))

    assert reply["statusCode"] == 422
    body = json.loads(reply["body"])
    assert body["error"]["code"] == "validation_error"
    assert [detail["loc"] for detail in body["error"]["details"]] == [["query", "value"]]
    assert "s3cret-not-a-number" not in reply["body"]


def test_an_unknown_route_is_a_404_in_the_error_format(call: Any):
    answer = call(path="/nowhere")

    assert (answer["statusCode"], answer["json"]["error"]["code"]) == (404, "not_found")


def test_an_unreachable_database_is_a_503_to_retry(call: Any):
    answer = call(psycopg.OperationalError("connection refused"))

    assert answer["statusCode"] == 503
    assert answer["json"]["error"]["code"] == "service_unavailable"
    assert answer["multiValueHeaders"]["Retry-After"] == ["2"]


def test_an_unexpected_error_is_a_500_that_says_nothing_of_it(call: Any):
    answer = call(RuntimeError("secret internals"))

    assert answer["statusCode"] == 500
    assert answer["json"]["error"] == {
        "code": "internal_error",
        "message": "something went wrong on our side",
        "details": [],
    }
    assert "secret internals" not in answer["body"]
