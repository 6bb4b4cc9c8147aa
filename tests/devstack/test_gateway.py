"""The local API Gateway on a fixture template: routing, the REQUEST authorizer, CORS, binary bodies."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack import template as templates
from devstack.apigw import Gateway, HttpRequest
from devstack.authorizer import Authorizers, evaluate_policy
from devstack.environment import applied, function_environment
from devstack.gateway_responses import HttpResponse
from devstack.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE = FIXTURES / "api" / "template.yaml"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gateway(clock: Clock) -> Iterator[Gateway]:
    template = templates.load(FIXTURE)
    for name in [m for m in sys.modules if m.startswith("devstack_fn_")]:
        del sys.modules[name]  # each test gets cold handlers (and a fresh authorizer call log)
    runtime = Runtime(template)
    env = function_environment(
        template.functions.values(),
        aws_endpoint="http://127.0.0.1:9",
        database_url="postgresql://unused",
        shell_env={},  # not this process's environment, which other tests may have left variables in
    )
    with applied(env):
        yield Gateway(template, runtime, Authorizers(runtime, clock=clock))


def authorizer_calls() -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = sys.modules["devstack_fn_AuthorizerFunction"].CALLS
    return calls


def send(gateway: Gateway, method: str, target: str, token: str | None = None, **kwargs: Any) -> HttpResponse:
    headers = list(kwargs.pop("headers", []))
    if token is not None:
        headers.append(("Authorization", f"Bearer {token}"))
    return gateway.handle(HttpRequest(method, target, headers=headers, **kwargs))


def echoed(response: HttpResponse) -> dict[str, Any]:
    assert response.status == 200, response.body
    event: dict[str, Any] = json.loads(response.body)["event"]
    return event


def error_code(response: HttpResponse) -> str:
    code: str = json.loads(response.body)["error"]["code"]
    return code


def test_a_public_route_is_called_without_the_authorizer(gateway: Gateway):
    response = send(gateway, "GET", "/public?x=1&x=2")

    event = echoed(response)
    assert event["resource"] == "/public"
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert event["stageVariables"] == {"flavour": "vanilla"}
    assert "authorizer" not in event["requestContext"]
    assert "devstack_fn_AuthorizerFunction" not in sys.modules


def test_the_handler_response_becomes_the_http_response(gateway: Gateway):
    response = send(gateway, "GET", "/public")

    assert response.header("Content-Type") == "application/json"
    assert response.header("X-Stage") == "test"
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert response.header("x-amzn-RequestId")
    assert json.loads(response.body)["function"] == "devstack-EchoFunction"


def test_no_identity_header_is_401_without_calling_the_authorizer(gateway: Gateway):
    response = send(gateway, "GET", "/items/1")

    assert response.status == 401
    assert error_code(response) == "unauthorized"
    assert "devstack_fn_AuthorizerFunction" not in sys.modules


def test_the_authorizer_raising_unauthorized_is_401(gateway: Gateway):
    response = send(gateway, "GET", "/items/1", token="who-knows")

    assert response.status == 401
    assert error_code(response) == "unauthorized"
    assert len(authorizer_calls()) == 1


def test_an_explicit_deny_is_403(gateway: Gateway):
    response = send(gateway, "GET", "/items/1", token="deny")

    assert response.status == 403
    assert error_code(response) == "forbidden"


def test_an_authorizer_crash_or_a_malformed_context_is_500(gateway: Gateway):
    assert send(gateway, "GET", "/items/1", token="boom").status == 500
    assert send(gateway, "GET", "/items/1", token="nested").status == 500


def test_allowed_requests_carry_the_authorizer_context(gateway: Gateway):
    response = send(gateway, "GET", "/items/42", token="allow-ann")

    event = echoed(response)
    assert event["pathParameters"] == {"id": "42"}
    context = event["requestContext"]["authorizer"]
    assert context["principalId"] == "ann"
    assert context["userId"] == "ann"
    assert context["admin"] == "false"  # a REST API stringifies context values
    assert context["quota"] == "3"
    call = authorizer_calls()[-1]
    assert call["type"] == "REQUEST"
    assert call["resource"] == "/items/{id}"
    assert call["methodArn"].endswith("/test/GET/items/42")
    assert call["pathParameters"] == {"id": "42"}


def test_answers_are_cached_by_token_for_reauthorize_every(gateway: Gateway, clock: Clock):
    for _ in range(3):
        assert send(gateway, "GET", "/items/1", token="allow-bob").status == 200
    assert len(authorizer_calls()) == 1

    assert send(gateway, "GET", "/items/1", token="allow-eve").status == 200
    assert len(authorizer_calls()) == 2

    clock.now += 301
    assert send(gateway, "GET", "/items/1", token="allow-bob").status == 200
    assert len(authorizer_calls()) == 3


def test_a_cached_policy_is_checked_against_each_route(gateway: Gateway):
    assert send(gateway, "GET", "/items/1", token="items-zed").status == 200
    # Same token, another method: the cached policy (GET /items/* only) denies it, without a new call.
    assert send(gateway, "POST", "/items/1", token="items-zed").status == 403
    assert len(authorizer_calls()) == 1


def test_literal_resources_win_over_parameters(gateway: Gateway):
    assert echoed(send(gateway, "GET", "/items/new", token="allow-a"))["resource"] == "/items/new"
    assert echoed(send(gateway, "GET", "/items/old", token="allow-a"))["resource"] == "/items/{id}"


def test_a_greedy_route_with_any_method(gateway: Gateway):
    event = echoed(send(gateway, "DELETE", "/files/a/b.txt"))

    assert event["resource"] == "/files/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b.txt"}
    assert event["httpMethod"] == "DELETE"


def test_unknown_routes_and_methods_are_404_in_the_api_error_format(gateway: Gateway):
    for method, target in (("GET", "/nowhere"), ("DELETE", "/public"), ("GET", "/items")):
        response = send(gateway, method, target)
        assert response.status == 404, (method, target)
        assert json.loads(response.body) == {
            "error": {"code": "not_found", "message": f"no route for {method} {target}", "details": []}
        }


def test_cors_preflight_is_answered_from_the_template(gateway: Gateway):
    response = send(gateway, "OPTIONS", "/items/1", headers=[("Origin", "http://localhost:5173")])

    assert response.status == 200
    assert response.body == b""
    assert response.header("Access-Control-Allow-Origin") == "http://localhost:5173"
    assert response.header("Access-Control-Allow-Methods") == "GET,OPTIONS,POST"  # the path's own methods
    assert response.header("Access-Control-Allow-Headers") == "Authorization,Content-Type"
    assert response.header("Access-Control-Max-Age") == "60"


def test_a_binary_request_body_is_base64_encoded_for_its_media_type(gateway: Gateway):
    png = b"\x89PNG\r\n\x1a\n\xff"
    binary = echoed(send(gateway, "POST", "/items/1", "allow-a", body=png, headers=[("Content-Type", "image/png")]))
    text = echoed(
        send(gateway, "POST", "/items/1", "allow-a", body=b'{"a":1}', headers=[("Content-Type", "text/json")])
    )

    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == png
    assert text["isBase64Encoded"] is False
    assert text["body"] == '{"a":1}'


def test_a_base64_response_is_decoded_when_the_accept_type_is_binary(gateway: Gateway):
    image = send(gateway, "GET", "/image", headers=[("Accept", "image/png")])
    as_text = send(gateway, "GET", "/image", headers=[("Accept", "application/json")])

    assert image.status == 200
    assert image.body.startswith(b"\x89PNG")
    assert image.header("Content-Type") == "image/png"
    assert base64.b64decode(as_text.body).startswith(b"\x89PNG")  # API Gateway's behaviour, not a bug here


def test_a_handler_exception_is_502(gateway: Gateway):
    response = send(gateway, "GET", "/broken")

    assert response.status == 502
    assert error_code(response) == "internal_error"


def test_policy_evaluation_wildcards_and_deny_precedence():
    arn = "arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/items/7"

    def policy(*statements: tuple[str, str]) -> dict[str, Any]:
        return {"Statement": [{"Effect": e, "Action": "execute-api:Invoke", "Resource": r} for e, r in statements]}

    assert evaluate_policy(policy(("Allow", "arn:aws:execute-api:*:*:api/dev/*/*")), arn) == "Allow"
    assert evaluate_policy(policy(("Allow", "arn:aws:execute-api:*:*:api/dev/POST/*")), arn) is None
    assert evaluate_policy(policy(("Allow", "*"), ("Deny", "*/GET/items/?")), arn) == "Deny"
    assert evaluate_policy({"Statement": {"Effect": "Allow", "Action": "*", "Resource": [arn]}}, arn) == "Allow"


def test_without_an_authorizer_routes_are_simply_called():
    template = templates.load(FIXTURES / "noauth" / "template.yaml")
    gateway = Gateway(template, Runtime(template))

    event = echoed(send(gateway, "GET", "/things/9"))

    assert event["pathParameters"] == {"id": "9"}
    assert event["requestContext"]["stage"] == "Prod"
    assert "authorizer" not in event["requestContext"]


def test_the_templates_gateway_responses_replace_the_defaults():
    template = templates.load(ROOT / "template.yaml")
    gateway = Gateway(template, Runtime(template))

    unauthorized = send(gateway, "GET", "/me")
    missing = send(gateway, "GET", "/nowhere")

    assert unauthorized.status == 401
    assert json.loads(unauthorized.body)["error"]["message"] == "a valid token is required"
    assert unauthorized.header("Access-Control-Allow-Origin") == "http://localhost:3000"
    assert missing.status == 404
    assert json.loads(missing.body)["error"] == {"code": "not_found", "message": "no such route", "details": []}


def test_a_preflight_needs_the_default_authorizer_unless_the_template_says_otherwise():
    # SAM's default (AddDefaultAuthorizerToCorsPreflight: true) puts the authorizer on OPTIONS too, and a
    # browser's preflight carries no Authorization header: API Gateway answers 401.
    template = templates.load(FIXTURE, {"AuthorizePreflight": "true"})
    gateway = Gateway(template, Runtime(template))

    assert send(gateway, "OPTIONS", "/items/1").status == 401
    assert send(gateway, "OPTIONS", "/items/1", token="allow-a").status == 200
