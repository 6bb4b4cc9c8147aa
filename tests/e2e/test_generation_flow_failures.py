"""How a generation fails, end to end: each ends ``failed`` with a message a person can read and exactly
one refund, or, when a retry helps, ``completed`` with one charge. The state machine (moto's ASL engine)
does the retries of ``statemachine/generation.asl.json``; the real google-genai client talks to a fake
Gemini. Retries really sleep (2 s intervals with full jitter), so only two tests take that path.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fakes.gemini import error_reply, image_reply, no_image_reply, png, safety_block_reply, text_only_reply
from tests.fakes.http import Reply, ScriptedServer
from tests.integration.generations import fixtures, support
from tests.support.api import ApiClient, User

# The generation-flow fixtures (tests/integration/generations/fixtures.py), for this module.
flow_checks = fixtures.flow_checks
gemini = fixtures.gemini
parked = fixtures.parked
sfn = fixtures.sfn
user = fixtures.user
real_state_machine = fixtures.real_state_machine

REFUNDED = "; your tokens were refunded"


def _generate(api: ApiClient, user: User, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = api.post(
        "/generations", body or {"mode": "from_prompt", "prompt": "a green coat"}, token=user.access_token
    )
    assert answer.status == 202, answer.body
    return support.wait_for_generation(api, user, answer.json()["id"])


def _assert_failed_and_refunded_once(api: ApiClient, sql: support.Sql, user: User, done: dict[str, Any]) -> None:
    assert done["status"] == "failed"
    assert done["resultImageBase64"] is None
    assert done["tokensCharged"] == 0
    assert done["errorMessage"].endswith(REFUNDED)
    assert support.ledger_kinds(sql, generation_id=done["id"]) == ["generation_charge", "generation_refund"]
    assert support.balance(sql, user) == 50
    assert api.get(f"/generations/{done['id']}/image", token=user.access_token).status == 404


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        pytest.param(
            safety_block_reply(), "the image model declined this request for safety reasons", id="safety-block"
        ),
        pytest.param(
            text_only_reply("I can describe the outfit but cannot draw it."),
            "the image model answered with text instead of an image: I can describe the outfit but cannot draw it.",
            id="text-only",
        ),
        pytest.param(
            no_image_reply(),
            "the image model did not produce an image for this request; try rewording it",
            id="no-image",
        ),
        pytest.param(error_reply(400), "the image model refused the request (400): fake 400", id="bad-request-400"),
    ],
)
def test_a_model_answer_without_an_image_fails_at_once_with_a_readable_message_and_one_refund(
    api: ApiClient, gemini: ScriptedServer, user: User, sql: support.Sql, reply: Reply, message: str
):
    # Given a model that answers without an image
    gemini.script(reply)

    # When the user generates
    done = _generate(api, user)

    # Then the generation failed with the reason in words, and its token came back once
    _assert_failed_and_refunded_once(api, sql, user, done)
    assert done["errorMessage"] == message + REFUNDED
    # And it was not retried: asking again would get the same answer
    assert len(gemini.requests) == 1


def test_a_model_that_stays_unavailable_fails_after_the_retries_with_one_refund(
    api: ApiClient, gemini: ScriptedServer, user: User, sql: support.Sql
):
    # Given a model that answers 503 every time
    gemini.script(error_reply(503))

    # When the user generates
    done = _generate(api, user)

    # Then the state machine tried three times (the first call and two retries), then failed it
    assert len(gemini.requests) == 3
    _assert_failed_and_refunded_once(api, sql, user, done)
    assert done["errorMessage"] == "the image service is unavailable right now; please try again shortly" + REFUNDED


def test_a_throttled_model_is_retried_and_the_generation_completes_charged_once(
    api: ApiClient, gemini: ScriptedServer, user: User, sql: support.Sql
):
    # Given a model that throttles once, then draws
    drawn = png(20, 20, (1, 2, 3))
    gemini.script(error_reply(429), image_reply(drawn))

    # When the user generates
    done = _generate(api, user)

    # Then it completed after one retry, charged once and not refunded
    assert len(gemini.requests) == 2
    assert done["status"] == "completed", done["errorMessage"]
    assert done["tokensCharged"] == 1
    assert support.ledger_kinds(sql, generation_id=done["id"]) == ["generation_charge"]
    assert support.balance(sql, user) == 49


def test_an_upload_that_vanished_before_the_model_ran_fails_the_generation_with_one_refund(
    api: ApiClient,
    gemini: ScriptedServer,
    parked: str,
    local_stack: Any,
    sfn: Any,
    real_state_machine: str,
    user: User,
    sql: support.Sql,
):
    # Given a photo-with-text generation of an upload, accepted (its execution has not started working yet)
    ref = support.upload(api, user, support.picture(), "image/png", "user_photo")
    answer = api.post(
        "/generations", {"mode": "photo_text", "userPhotoUrl": ref, "prompt": "add a hat"}, token=user.access_token
    )
    assert answer.status == 202, answer.body
    generation_id = answer.json()["id"]
    # And the upload is gone by the time the flow reads it (expired and swept, say)
    s3 = local_stack.aws.client("s3")
    bucket = local_stack.template.buckets["UploadsBucket"].name
    s3.delete_object(Bucket=bucket, Key=ref.removeprefix("upload:"))
    gemini.script(image_reply())

    # When the generation's flow runs
    sfn.start_execution(
        stateMachineArn=real_state_machine,
        name=generation_id,
        input=json.dumps({"generationId": generation_id}),
    )
    done = support.wait_for_generation(api, user, generation_id)

    # Then it failed, saying which photo is missing, without calling the model, and was refunded once
    _assert_failed_and_refunded_once(api, sql, user, done)
    assert done["errorMessage"] == "userPhotoUrl: no such upload (it may have expired)" + REFUNDED
    assert gemini.requests == []
