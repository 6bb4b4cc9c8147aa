"""Services take their clients as parameters: a unit test hands them a fake, and nothing reaches AWS."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from imagify import email
from imagify.generations import execution
from tests.support.env import setenv

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:imagify-generation-test"


class Recorder:
    """Any client: it records each call and answers nothing."""

    class exceptions:  # noqa: N801 - the shape of a boto3 client's ``exceptions``
        class ExecutionAlreadyExists(Exception):
            pass

    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail = fail

    def __getattr__(self, name: str) -> Any:
        def call(**kwargs: Any) -> dict[str, Any]:
            self.calls.append((name, kwargs))
            if self.fail is not None:
                raise self.fail
            return {}

        return call


def test_a_generation_starts_an_execution_named_after_it(monkeypatch: pytest.MonkeyPatch):
    setenv(monkeypatch, STATE_MACHINE_ARN=MACHINE)
    sfn, generation_id = Recorder(), uuid.uuid4()

    execution.start(generation_id, client=sfn)

    [(operation, arguments)] = sfn.calls
    assert operation == "start_execution"
    assert (arguments["stateMachineArn"], arguments["name"]) == (MACHINE, str(generation_id))
    assert json.loads(arguments["input"]) == {"generationId": str(generation_id)}


def test_a_start_that_fails_is_start_failed_and_a_repeated_one_is_harmless(monkeypatch: pytest.MonkeyPatch):
    setenv(monkeypatch, STATE_MACHINE_ARN=MACHINE)
    with pytest.raises(execution.StartFailed):
        execution.start(uuid.uuid4(), client=Recorder(fail=RuntimeError("throttled")))
    execution.start(uuid.uuid4(), client=Recorder(fail=Recorder.exceptions.ExecutionAlreadyExists()))


def test_mail_goes_out_through_the_client_it_is_given(monkeypatch: pytest.MonkeyPatch):
    setenv(monkeypatch, EMAIL_DELIVERY="ses", EMAIL_FROM="Imagify <no-reply@imagify.test>")
    ses = Recorder()

    email.send("ada@example.com", "Confirm your email", "Open the link.", client=ses)

    [(operation, arguments)] = ses.calls
    assert operation == "send_email"
    assert arguments["Destination"] == {"ToAddresses": ["ada@example.com"]}
    assert arguments["FromEmailAddress"] == "Imagify <no-reply@imagify.test>"
