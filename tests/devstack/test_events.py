"""The local stack's building blocks: API Gateway events, route matching, template loading, the context."""

from __future__ import annotations

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from devstack import template as templates
from devstack.cfn import TemplateError
from devstack.context import LambdaContext
from devstack.environment import function_environment
from devstack.events import api_event, method_arn, parse_query, request_authorizer_event
from devstack.routes import RouteTable
from devstack.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_path_parameters_come_from_the_resource_template():
    event = api_event("get", "/generations/abc%20123", resource="/generations/{id}")

    assert event["httpMethod"] == "GET"
    assert event["resource"] == "/generations/{id}"
    assert event["path"] == "/generations/abc 123"
    assert event["pathParameters"] == {"id": "abc 123"}
    assert event["requestContext"]["resourcePath"] == "/generations/{id}"
    assert event["requestContext"]["path"] == "/dev/generations/abc 123"
    assert event["requestContext"]["stage"] == "dev"


def test_a_greedy_proxy_parameter_takes_the_rest_of_the_path():
    event = api_event("GET", "/files/a/b/c.png", resource="/files/{proxy+}")

    assert event["pathParameters"] == {"proxy": "a/b/c.png"}


def test_query_strings_keep_every_value_and_the_single_view_keeps_the_last():
    event = api_event("GET", "/items", query={"tag": ["red", "blue"], "page": "2"})

    assert event["queryStringParameters"] == {"tag": "blue", "page": "2"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["red", "blue"], "page": ["2"]}


def test_a_raw_query_string_is_decoded_like_api_gateway():
    assert parse_query("q=a%20b&plus=a+b&flag&x=1&x=2") == [
        ("q", "a b"),
        ("plus", "a+b"),
        ("flag", ""),
        ("x", "1"),
        ("x", "2"),
    ]


def test_without_headers_query_or_body_those_fields_are_null():
    event = api_event("GET", "/health")

    for key in ("headers", "multiValueHeaders", "queryStringParameters", "pathParameters", "body"):
        assert event[key] is None, key
    assert event["isBase64Encoded"] is False


def test_repeated_headers_appear_in_both_views():
    event = api_event("GET", "/", headers=[("Accept", "text/html"), ("X-Tag", "a"), ("X-Tag", "b")])

    assert event["headers"] == {"Accept": "text/html", "X-Tag": "b"}
    assert event["multiValueHeaders"] == {"Accept": ["text/html"], "X-Tag": ["a", "b"]}


def test_bytes_are_sent_base64_encoded():
    event = api_event("POST", "/uploads", body=b"\x89PNG\x00\xff", headers={"Content-Type": "image/png"})

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x89PNG\x00\xff"


def test_a_dict_body_is_json_with_its_content_type():
    event = api_event("POST", "/auth/login", body={"email": "a@b.c"})

    assert json.loads(event["body"]) == {"email": "a@b.c"}
    assert event["headers"] == {"Content-Type": "application/json"}
    assert event["isBase64Encoded"] is False


def test_authorizer_context_is_stringified_like_a_rest_api():
    event = api_event("GET", "/me", authorizer={"principalId": "u-1", "userId": "u-1", "admin": True, "n": 3})

    assert event["requestContext"]["authorizer"] == {"principalId": "u-1", "userId": "u-1", "admin": "true", "n": "3"}


def test_the_request_authorizer_event_mirrors_the_request():
    proxy = api_event("GET", "/items/7", resource="/items/{id}", headers={"Authorization": "Bearer t"})
    arn = method_arn("GET", "/items/7", api_id="abc", stage="dev")

    event = request_authorizer_event(proxy, arn)

    assert arn == "arn:aws:execute-api:us-east-1:123456789012:abc/dev/GET/items/7"
    assert event["type"] == "REQUEST"
    assert event["methodArn"] == arn
    assert event["pathParameters"] == {"id": "7"}
    assert event["headers"] == {"Authorization": "Bearer t"}
    assert "authorizer" not in event["requestContext"]


def test_routes_prefer_literal_segments_then_parameters_then_greedy():
    table: RouteTable[str] = RouteTable(
        [
            ("/items/{id}", "GET", "by-id"),
            ("/items/new", "GET", "new"),
            ("/{proxy+}", "ANY", "catch-all"),
            ("/", "GET", "root"),
        ]
    )

    def pick(path: str) -> tuple[str, dict[str, str]] | None:
        found = table.match(path)
        return (next(iter(found[2].values())), found[1]) if found else None

    assert pick("/items/new") == ("new", {})
    assert pick("/items/42") == ("by-id", {"id": "42"})
    assert pick("/items/42/more") == ("catch-all", {"proxy": "items/42/more"})
    assert pick("/") == ("root", {})


def test_the_project_template_resolves_its_short_tags():
    template = templates.load(ROOT / "template.yaml")

    api = next(iter(template.apis.values()))
    assert api.cors is not None
    assert api.cors.allow_origin == "http://localhost:3000"  # !Sub + !Select + !Split, quotes removed
    assert api.stage == "dev"
    health = template.function("HealthFunction")
    assert health.code_uri == ROOT / "functions" / "health"
    assert health.timeout == 15
    assert health.environment["STAGE"] == "dev"
    assert health.environment["DATABASE_URL_PARAMETER"] == "/imagify/dev/database-url"
    assert [(e.path, e.method) for e in health.events] == [("/health", "GET")]


def test_parameter_overrides_and_globals_merge():
    template = templates.load(FIXTURES / "api" / "template.yaml", {"Stage": "qa", "CacheTtl": "5"})

    api = template.apis["Api"]
    assert api.stage == "qa"
    assert api.authorizers["Tokens"].reauthorize_every == 5
    assert api.authorizers["Tokens"].function_arn == template.function("AuthorizerFunction").arn
    assert api.binary_media_types == ("image/png",)
    echo = template.function("EchoFunction")
    assert echo.environment == {"STAGE": "qa"}
    assert echo.timeout == 5
    assert {(e.path, e.method, e.authorizer) for e in echo.events} >= {
        ("/public", "GET", "NONE"),
        ("/items/{id}", "POST", None),
    }


def test_refs_resolve_to_the_names_the_local_stack_creates():
    template = templates.load(FIXTURES / "sfn" / "template.yaml")

    start = template.function("StartFunction")
    machine = template.state_machines["GenerationStateMachine"]
    assert start.environment["STATE_MACHINE_ARN"] == machine.arn
    assert start.environment["STATE_MACHINE_NAME"] == machine.name
    assert start.environment["UPLOADS_BUCKET"] == template.buckets["UploadsBucket"].name
    assert start.environment["SECRET_ID"] == template.secrets["ApiKeySecret"].name
    definition = json.loads(machine.definition)
    assert definition["States"]["Generate"]["Resource"] == template.function("GenerateFunction").arn


def test_unknown_parameters_are_refused():
    with pytest.raises(TemplateError, match="unknown parameter"):
        templates.load(FIXTURES / "api" / "template.yaml", {"Nope": "1"})


def test_the_context_counts_down_from_the_timeout():
    context = LambdaContext("imagify-health", memory_limit_in_mb=256, timeout_s=2)

    assert context.function_name == "imagify-health"
    assert context.memory_limit_in_mb == 256
    assert context.invoked_function_arn.endswith(":function:imagify-health")
    assert context.aws_request_id
    remaining = context.get_remaining_time_in_millis()
    assert 1500 < remaining <= 2000
    time.sleep(0.05)
    assert context.get_remaining_time_in_millis() < remaining


def test_the_handler_environment_points_at_the_local_stack():
    template = templates.load(FIXTURES / "sfn" / "template.yaml")

    env = function_environment(
        template.functions.values(),
        aws_endpoint="http://127.0.0.1:5555",
        database_url="postgresql://local/imagify",
        shell_env={"UPLOADS_BUCKET": "from-the-shell", "HOME": "/root"},
    )

    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5555"
    assert env["DATABASE_URL"] == "postgresql://local/imagify"
    assert "DATABASE_URL_PARAMETER" not in env
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["STATE_MACHINE_ARN"] == template.state_machines["GenerationStateMachine"].arn
    assert env["UPLOADS_BUCKET"] == "from-the-shell"  # a declared variable, overridden from the shell
    assert "HOME" not in env  # undeclared shell variables are not part of it


def test_each_function_runs_one_invocation_at_a_time_and_functions_run_side_by_side():
    runtime = Runtime(templates.load(FIXTURES / "api" / "template.yaml"))

    def overlap(first: str, second: str) -> bool:
        with ThreadPoolExecutor(max_workers=2) as pool:
            a, b = pool.map(lambda f: runtime.invoke(f, {"seconds": 0.3}), (first, second))
        return bool(a["started"] < b["ended"] and b["started"] < a["ended"])

    assert not overlap("SlowFunction", "SlowFunction")  # one warm environment per function
    assert overlap("SlowFunction", "OtherSlowFunction")
