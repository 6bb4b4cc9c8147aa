"""The state machine's task functions, called directly as Step Functions delivers them: at least once,
possibly twice, possibly after the user cancelled. Each transition happens once and the refund at most
once, whatever the order and however often a task runs.

The generations are created through ``POST /generations`` with a parked state machine (its execution
only waits), so nothing but the test drives their tasks.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest

from imagify.generations.flow import GenerationGone
from tests.fakes.gemini import image_reply, png
from tests.fakes.http import ScriptedServer
from tests.integration.generations import support
from tests.integration.generations.fixtures import Tasks
from tests.support.api import ApiClient, User


def _pending(api: ApiClient, user: User, prompt: str = "a blue blazer") -> str:
    answer = api.post("/generations", {"mode": "from_prompt", "prompt": prompt}, token=user.access_token)
    assert answer.status == 202, answer.body
    assert answer.json()["status"] == "pending"
    return str(answer.json()["id"])


def _status(sql: support.Sql, generation_id: str) -> str:
    return str(support.scalar(sql, "SELECT status::text FROM generations WHERE id = %s", (generation_id,)))


def test_each_step_delivered_twice_moves_the_generation_once_and_keeps_one_charge(
    api: ApiClient, tasks: Tasks, gemini: ScriptedServer, user: User, sql: support.Sql
):
    # Given a pending generation, and a model that draws
    generation_id = _pending(api, user)
    drawn = png(30, 30, (9, 9, 9))
    gemini.script(image_reply(drawn))

    # When every step is delivered twice, in order
    for state in ("MarkProcessing", "MarkProcessing"):
        assert tasks(state, generation_id) == {"generationId": generation_id}
    assert _status(sql, generation_id) == "processing"
    for _ in range(2):
        assert tasks("Generate", generation_id) == {"generationId": generation_id}
    for _ in range(2):
        assert tasks("MarkCompleted", generation_id) == {"generationId": generation_id}

    # Then the generation completed once, with the image, charged once and never refunded
    done = api.get(f"/generations/{generation_id}", token=user.access_token).json()
    assert done["status"] == "completed"
    assert support.decoded_data_uri(done["resultImageBase64"])[0] in ("image/png", "image/webp")
    assert support.ledger_kinds(sql, generation_id=generation_id) == ["generation_charge"]
    assert support.balance(sql, user) == 49

    # When a stray MarkFailed arrives after it completed (a late Catch), Then it keeps its image and charge
    tasks("MarkFailed", generation_id, {"Error": "States.Timeout", "Cause": ""})
    assert _status(sql, generation_id) == "completed"
    assert support.ledger_kinds(sql, generation_id=generation_id) == ["generation_charge"]
    # And a late MarkProcessing cannot take it back in flight
    with pytest.raises(GenerationGone):
        tasks("MarkProcessing", generation_id)
    assert _status(sql, generation_id) == "completed"


def test_mark_failed_delivered_twice_fails_once_and_refunds_once(
    api: ApiClient, tasks: Tasks, user: User, sql: support.Sql
):
    # Given a generation being processed whose Generate step failed for good
    generation_id = _pending(api, user)
    tasks("MarkProcessing", generation_id)
    error = {"Error": "GeminiUnavailable", "Cause": support.json_cause("Gemini answered 503: overloaded")}

    # When MarkFailed is delivered twice
    tasks("MarkFailed", generation_id, error)
    tasks("MarkFailed", generation_id, error)

    # Then it failed once, with a message a person can read, and one refund
    failed = api.get(f"/generations/{generation_id}", token=user.access_token).json()
    assert failed["status"] == "failed"
    assert failed["errorMessage"] == (
        "the image service is unavailable right now; please try again shortly; your tokens were refunded"
    )
    assert support.ledger_kinds(sql, generation_id=generation_id) == ["generation_charge", "generation_refund"]
    assert support.balance(sql, user) == 50
    # And a late delivery of an earlier step changes nothing
    with pytest.raises(GenerationGone):
        tasks("MarkProcessing", generation_id)
    with pytest.raises(GenerationGone):
        tasks("Generate", generation_id)
    assert _status(sql, generation_id) == "failed"


def test_a_user_facing_error_is_shown_as_it_was_raised(api: ApiClient, tasks: Tasks, user: User):
    # Given a generation whose model refused the request
    generation_id = _pending(api, user)
    tasks("MarkProcessing", generation_id)
    cause = support.json_cause("the image model declined this request for safety reasons", "GenerationRejected")

    # When it is marked failed
    tasks("MarkFailed", generation_id, {"Error": "GenerationRejected", "Cause": cause})

    # Then the user reads the model's reason, not an internal error
    failed = api.get(f"/generations/{generation_id}", token=user.access_token).json()
    assert (
        failed["errorMessage"] == "the image model declined this request for safety reasons; your tokens were refunded"
    )


def test_an_internal_error_is_not_leaked_to_the_user(api: ApiClient, tasks: Tasks, user: User):
    generation_id = _pending(api, user)
    cause = support.json_cause("psycopg.OperationalError: server closed the connection at 10.0.3.7", "OperationalError")
    tasks("MarkFailed", generation_id, {"Error": "OperationalError", "Cause": cause})
    failed = api.get(f"/generations/{generation_id}", token=user.access_token).json()
    assert failed["status"] == "failed"
    assert failed["errorMessage"] == "something went wrong while generating; your tokens were refunded"


def test_a_cancel_while_the_model_works_wins_over_the_late_result(
    api: ApiClient, tasks: Tasks, gemini: ScriptedServer, user: User, sql: support.Sql
):
    # Given a generation being processed, whose model takes two seconds to answer
    generation_id = _pending(api, user)
    tasks("MarkProcessing", generation_id)
    gemini.script(dataclasses.replace(image_reply(png()), delay_s=2))
    outcome: dict[str, Any] = {}

    def generate() -> None:
        try:
            outcome["result"] = tasks("Generate", generation_id)
        except Exception as error:
            outcome["error"] = error

    worker = threading.Thread(target=generate)
    worker.start()
    support.wait_for(lambda: gemini.requests, what="the model call")

    # When the user cancels while the model is still working
    answer = api.post(f"/generations/{generation_id}/cancel", token=user.access_token)
    assert worker.is_alive(), "the model answered before the cancel: the race was not exercised"

    # Then the cancel is answered at once: failed, refunded
    assert answer.status == 200, answer.body
    assert answer.json()["status"] == "failed"
    assert answer.json()["tokensCharged"] == 0
    # And when the model's answer arrives, Generate drops it and stops the execution (to MarkFailed)
    worker.join(timeout=30)
    assert isinstance(outcome.get("error"), GenerationGone), outcome
    tasks("MarkFailed", generation_id, {"Error": "GenerationGone", "Cause": support.json_cause(str(outcome["error"]))})

    # Then the generation is still the cancelled one: no image, the cancel's message, one refund
    after = api.get(f"/generations/{generation_id}", token=user.access_token).json()
    assert after["status"] == "failed"
    assert after["resultImageBase64"] is None
    assert after["errorMessage"] == answer.json()["errorMessage"]
    assert "cancelled" in after["errorMessage"]
    assert support.ledger_kinds(sql, generation_id=generation_id) == ["generation_charge", "generation_refund"]
    assert support.balance(sql, user) == 50
