"""Fixtures of the generation-flow tests (used by this directory's conftest and by tests/e2e/test_generation_flow*).

Every test that runs the local stack ends with the flow's invariants checked (``flow_checks``): once no
execution runs any more, each user's ``tokens`` equals the sum of their ledger, no generation is left
pending or processing (unless the test said so), every failed generation was refunded exactly once and
no completed one was.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from devstack.context import LambdaContext
from devstack.runtime import Handler, load_handler
from devstack.template import Template
from imagify import clients
from tests.fakes.gemini import FakeGemini, fake_gemini
from tests.integration.generations import support
from tests.support.api import ApiClient, User

# A state machine that only waits: an execution of it keeps its generation pending, touching nothing.
PARKED = json.dumps({"StartAt": "Park", "States": {"Park": {"Type": "Wait", "Seconds": 300, "End": True}}})


@dataclass
class FlowChecks:
    """What a test tells the end-of-test checks: generations it means to leave in flight."""

    allowed_in_flight: set[str] = field(default_factory=set)

    def allow_in_flight(self, generation_id: str) -> None:
        self.allowed_in_flight.add(generation_id)


@pytest.fixture(autouse=True)
def flow_checks(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlowChecks]:
    """For a test on the local stack: the offline image model unless it says otherwise, fresh caches,
    and the invariants checked at the end (after every execution it started has finished)."""
    checks = FlowChecks()
    if "api" not in request.fixturenames and "local_stack" not in request.fixturenames:
        yield checks
        return
    database_url = request.getfixturevalue("database")
    stack = request.getfixturevalue("local_stack")
    # The template's Generate function calls Gemini; the local stack's offline model is what a test
    # gets unless it points the handlers at the fake Gemini.
    support.set_env(monkeypatch, IMAGE_PROVIDER="offline")
    try:
        yield checks
    finally:
        stuck = support.wait_for_executions(stack.aws.client("stepfunctions"))
        with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
            found = support.problems(conn, checks.allowed_in_flight)
        clients.reset()
    assert not stuck, f"executions still running after the test: {stuck}"
    assert not found, "\n".join(found)


@pytest.fixture
def user(api: ApiClient) -> User:
    """A registered, signed-in user with the sign-up tokens."""
    return api.register()


@pytest.fixture
def other_user(api: ApiClient) -> User:
    return api.register()


@pytest.fixture
def gemini(flow_checks: FlowChecks, local_stack: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGemini]:
    """The fake Gemini (serving the current models only), with the handlers' real google-genai client
    pointed at it."""
    with fake_gemini() as server:
        support.use_fake_gemini(monkeypatch, server.url)
        yield server
        # Executions still calling it finish before it goes away (flow_checks waits after this).
        support.wait_for_executions(local_stack.aws.client("stepfunctions"), parked=False)


@pytest.fixture
def sfn(local_stack: Any) -> Any:
    """The local Step Functions (moto), as an operator would look at it."""
    return local_stack.aws.client("stepfunctions")


@pytest.fixture
def real_state_machine(local_stack: Any) -> str:
    machine = local_stack.template.state_machines["GenerationStateMachine"]
    return str(machine.arn)


@pytest.fixture
def parked(
    flow_checks: FlowChecks, sfn: Any, real_state_machine: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """``POST /generations`` starts executions of a state machine that only waits: generations stay
    pending, and a test drives them itself (the task handlers, a cancel, an execution it starts)."""
    role = sfn.describe_state_machine(stateMachineArn=real_state_machine)["roleArn"]
    arn = sfn.create_state_machine(
        name=f"{support.PARKED_PREFIX}{uuid.uuid4().hex[:8]}", definition=PARKED, roleArn=role
    )["stateMachineArn"]
    support.set_env(monkeypatch, STATE_MACHINE_ARN=str(arn))
    yield str(arn)
    for item in sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]:
        sfn.stop_execution(executionArn=item["executionArn"], error="TestOver", cause="parked")


class Tasks:
    """The state machine's task functions, called directly as Step Functions would deliver them."""

    NAMES = {
        "MarkProcessing": "GenerationMarkProcessingFunction",
        "Generate": "GenerationGenerateFunction",
        "MarkCompleted": "GenerationMarkCompletedFunction",
        "MarkFailed": "GenerationMarkFailedFunction",
    }

    def __init__(self, template: Template) -> None:
        self.template = template
        self._handlers: dict[str, Handler] = {}

    def __call__(self, state: str, generation_id: str, error: dict[str, Any] | None = None) -> Any:
        function = self.template.function(self.NAMES[state])
        if state not in self._handlers:
            self._handlers[state] = load_handler(function)
        event: dict[str, Any] = {"generationId": generation_id}
        if error is not None:
            event["error"] = error
        context = LambdaContext(function.name, timeout_s=function.timeout, invoked_function_arn=function.arn)
        return self._handlers[state](event, context)


@pytest.fixture(scope="session")
def task_functions(local_stack: Any) -> Tasks:
    return Tasks(local_stack.template)


@pytest.fixture
def tasks(task_functions: Tasks, parked: str) -> Tasks:
    """The task handlers, for generations whose (parked) execution never runs them."""
    return task_functions
