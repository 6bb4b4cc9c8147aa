"""Local AWS on a fixture template: moto's state machine engine running the real handlers in-process."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack import template as templates
from devstack.aws import LocalAws, generate_secret_string
from devstack.environment import applied, function_environment
from devstack.runtime import Runtime

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "sfn" / "template.yaml"


@pytest.fixture
def aws(tmp_path: Path) -> Iterator[LocalAws]:
    template = templates.load(FIXTURE)
    for name in [m for m in sys.modules if m.startswith("devstack_fn_")]:
        del sys.modules[name]
    local = LocalAws(template, Runtime(template), tmp_path)
    local.start()
    try:
        env = function_environment(
            template.functions.values(),
            aws_endpoint=local.endpoint,
            database_url="postgresql://unused",
            shell_env={},  # not this process's environment, which other tests may have left variables in
        )
        with applied(env):
            yield local
    finally:
        local.stop()


def finish(aws: LocalAws, execution_arn: str, timeout_s: float = 30) -> dict[str, Any]:
    sfn = aws.client("stepfunctions")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        execution: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if execution["status"] != "RUNNING":
            return execution
        time.sleep(0.1)
    raise AssertionError(f"{execution_arn} still running after {timeout_s}s")


def history(aws: LocalAws, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = aws.client("stepfunctions").get_execution_history(executionArn=execution_arn)[
        "events"
    ]
    return events


def test_handlers_reach_the_created_resources_through_their_environment(aws: LocalAws):
    started = aws.runtime.invoke("StartFunction", {"id": "env-check", "fail": True})

    bucket = aws.template.buckets["UploadsBucket"].name
    assert aws.client("s3").get_object(Bucket=bucket, Key="uploads/env-check.txt")["Body"].read() == b"hi"
    assert started["stateMachineName"] == aws.template.state_machines["GenerationStateMachine"].name
    assert started["secretKeys"] == ["k1", "kid"]
    assert os.environ["AWS_ENDPOINT_URL"] == aws.endpoint
    assert os.environ["DATABASE_URL"] == "postgresql://unused"
    assert "DATABASE_URL_PARAMETER" not in os.environ
    finish(aws, started["executionArn"])


def test_a_throttled_task_is_retried_and_the_execution_succeeds(aws: LocalAws):
    started = aws.runtime.invoke("StartFunction", {"id": "gen-1"})

    execution = finish(aws, started["executionArn"])

    assert execution["status"] == "SUCCEEDED", execution
    output = json.loads(execution["output"])
    assert output["marked"] == {"status": "processing"}  # through arn:aws:states:::lambda:invoke
    assert output["result"] == {"image": "uploads/gen-1.png", "attempts": 2}
    failures = [e for e in history(aws, started["executionArn"]) if e["type"] == "LambdaFunctionFailed"]
    assert [f["lambdaFunctionFailedEventDetails"]["error"] for f in failures] == ["GeminiThrottled"]


def test_a_caught_error_is_recorded_and_ends_in_the_fail_state(aws: LocalAws):
    started = aws.runtime.invoke("StartFunction", {"id": "gen-2", "fail": True})

    execution = finish(aws, started["executionArn"])

    assert execution["status"] == "FAILED", execution
    assert execution["error"] == "GenerationFailed"
    recorded = sys.modules["devstack_fn_MarkFailedFunction"].RECORDED
    assert recorded == [{"id": "gen-2", "error": "GenerationFailed", "message": "the model refused the prompt"}]
    assert sys.modules["devstack_fn_GenerateFunction"].ATTEMPTS["gen-2"] == 1  # not retried: not throttling


def test_only_functions_a_state_machine_names_are_created_in_lambda(aws: LocalAws):
    names = {f["FunctionName"] for f in aws.client("lambda").list_functions()["Functions"]}

    # (moto's state is process-wide: a session-wide stack's functions may be there too.)
    tasks = ("MarkProcessingFunction", "GenerateFunction", "MarkFailedFunction")
    assert {aws.template.function(f).name for f in tasks} <= names
    assert aws.template.function("StartFunction").name not in names


def test_a_direct_invoke_reports_a_function_error_with_the_exception_class(aws: LocalAws):
    response = aws.client("lambda").invoke(
        FunctionName=aws.template.function("GenerateFunction").name, Payload=json.dumps({"id": "x", "fail": True})
    )

    assert response["FunctionError"] == "Unhandled"
    payload = json.loads(response["Payload"].read())
    assert payload["errorType"] == "GenerationFailed"
    assert payload["errorMessage"] == "the model refused the prompt"


def test_generated_secrets_are_kept_between_starts(aws: LocalAws, tmp_path: Path):
    first = aws.client("secretsmanager").get_secret_value(SecretId="devstack-ApiKeySecret")["SecretString"]
    aws.stop()
    again = LocalAws(aws.template, aws.runtime, tmp_path)
    again.start()
    try:
        second = again.client("secretsmanager").get_secret_value(SecretId="devstack-ApiKeySecret")["SecretString"]
    finally:
        again.stop()

    assert first == second
    document = json.loads(first)
    assert document["kid"] == "k1"
    assert len(document["k1"]) == 40
    assert document["k1"].isalnum()


def test_generate_secret_string_honours_its_options():
    password = generate_secret_string({"PasswordLength": 12, "ExcludeUppercase": True, "ExcludePunctuation": True})

    assert len(password) == 12
    assert password == password.lower()
    assert password.isalnum()


def test_unnamed_executions_get_names_of_their_own(aws: LocalAws):
    machine = aws.template.state_machines["GenerationStateMachine"].arn
    sfn = aws.client("stepfunctions")

    first = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"id": "same", "fail": True}))
    second = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"id": "same", "fail": True}))

    assert first["executionArn"] != second["executionArn"]
    assert not first["executionArn"].endswith(":None")
    for started in (first, second):
        assert finish(aws, started["executionArn"])["status"] == "FAILED"
