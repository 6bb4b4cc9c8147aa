"""The whole generation flow as a user drives it: uploads, ``POST /generations``, the state machine run by
moto's ASL engine over the real task handlers, and the real google-genai client talking to a fake Gemini.

Given/When/Then on what the user sees: the answers, the stored generation, the image endpoint, the ledger.
"""

from __future__ import annotations

import dataclasses
import io
import urllib.request
from typing import Any

import pytest
from PIL import Image

from tests.fakes.gemini import DEFAULT_MODEL, image_reply, line_art_png, noisy_png, png
from tests.fakes.http import ScriptedServer
from tests.integration.generations import fixtures, support
from tests.support.api import ApiClient, User

# The generation-flow fixtures (tests/integration/generations/fixtures.py), for this module.
flow_checks = fixtures.flow_checks
gemini = fixtures.gemini
sfn = fixtures.sfn
user = fixtures.user
other_user = fixtures.other_user
real_state_machine = fixtures.real_state_machine

MODEL = DEFAULT_MODEL


def _start(api: ApiClient, user: User, body: dict[str, Any]) -> dict[str, Any]:
    answer = api.post("/generations", body, token=user.access_token)
    assert answer.status == 202, answer.body
    created: dict[str, Any] = answer.json()
    assert created["status"] == "pending"
    assert created["tokensCharged"] == 1
    assert created["resultImageBase64"] is None
    return created


def _assert_completed(done: dict[str, Any], image: bytes, mime: str = "image/png") -> None:
    assert done["status"] == "completed", done["errorMessage"]
    assert support.decoded_data_uri(done["resultImageBase64"]) == (mime, image)
    assert done["modelUsed"] == MODEL
    assert isinstance(done["generationTimeMs"], int)
    assert done["generationTimeMs"] >= 0
    assert done["errorMessage"] is None
    assert done["tokensCharged"] == 1


# -- each mode, end to end ------------------------------------------------------------------------------


def test_a_tryon_of_two_uploads_completes_with_the_image_the_model_drew(
    api: ApiClient, gemini: ScriptedServer, user: User, sql: support.Sql
):
    # Given a person's photo and a garment's photo, uploaded to the presigned POSTs as a browser does
    person = support.picture(60, 80, (10, 10, 200))
    garment = support.picture(40, 40, (250, 250, 0), fmt="JPEG")
    person_ref = support.upload(api, user, person, "image/png", "user_photo")
    garment_ref = support.upload(api, user, garment, "image/jpeg", "item_photo")
    # And a model that draws an image
    drawn = line_art_png()
    gemini.script(image_reply(drawn))

    # When the user asks for a try-on
    created = _start(
        api,
        user,
        {"mode": "tryon", "userPhotoUrl": person_ref, "itemPhotoUrl": garment_ref, "prompt": "tuck the shirt in"},
    )
    done = support.wait_for_generation(api, user, created["id"])

    # Then it completed with the model's image (kept as it came: re-encoding would not make it smaller)
    _assert_completed(done, drawn)
    # And the photos are kept as presigned GET URLs of the uploads (what the frontend can show), which answer them
    for shown, ref, sent in ((done["userPhotoUrl"], person_ref, person), (done["itemPhotoUrl"], garment_ref, garment)):
        assert f"/{ref.removeprefix('upload:')}?" in shown and "X-Amz-Signature=" in shown, shown
        with urllib.request.urlopen(shown, timeout=10) as response:
            assert response.read() == sent
    # And the model was sent the instruction the generation shows, then the person, then the garment
    [request] = gemini.requests
    assert request.path.endswith(f"/models/{MODEL}:generateContent")
    assert request.headers.get("x-goog-api-key") == "test"
    assert support.sent_text(request.body) == [done["aiPromptUsed"]]
    assert "tuck the shirt in" in done["aiPromptUsed"]
    assert support.sent_images(request.body) == [("image/png", person), ("image/jpeg", garment)]
    # And one token was charged, and kept
    assert support.balance(sql, user) == 49
    assert support.ledger_kinds(sql, generation_id=created["id"]) == ["generation_charge"]


def test_a_prompt_only_generation_sends_only_the_instruction(api: ApiClient, gemini: ScriptedServer, user: User):
    # Given a model that draws an image
    drawn = line_art_png(64, 64)
    gemini.script(image_reply(drawn))

    # When the user asks for a look from a prompt, with a style and an aspect ratio
    created = _start(
        api,
        user,
        {"mode": "from_prompt", "prompt": "a red linen suit", "options": {"aspectRatio": "3:4", "style": "editorial"}},
    )
    done = support.wait_for_generation(api, user, created["id"])

    # Then it completed, and the model got exactly the instruction shown, with no image
    _assert_completed(done, drawn)
    assert done["aiPromptUsed"] == created["aiPromptUsed"]
    for part in ("a red linen suit", "Style: editorial.", "Aspect ratio 3:4."):
        assert part in done["aiPromptUsed"]
    [request] = gemini.requests
    assert support.sent_text(request.body) == [done["aiPromptUsed"]]
    assert support.sent_images(request.body) == []


def test_a_photo_with_text_sent_inline_completes_and_is_not_echoed_back(
    api: ApiClient, gemini: ScriptedServer, user: User
):
    # Given a photo sent inline as a data URI, and a model that draws an image
    photo = support.picture(50, 50, (0, 200, 0), fmt="WEBP")
    drawn = line_art_png(32, 48)
    gemini.script(image_reply(drawn))

    # When the user asks to edit it
    created = _start(
        api, user, {"mode": "photo_text", "userPhotoUrl": support.data_uri(photo, "image/webp"), "prompt": "add a hat"}
    )
    done = support.wait_for_generation(api, user, created["id"])

    # Then it completed; the model got the instruction and the photo
    _assert_completed(done, drawn)
    [request] = gemini.requests
    assert support.sent_text(request.body) == [done["aiPromptUsed"]]
    assert "add a hat" in done["aiPromptUsed"]
    assert support.sent_images(request.body) == [("image/webp", photo)]
    # And the inline photo is not shown back (only uploads and URLs are)
    assert done["userPhotoUrl"] is None


# -- the image endpoint ---------------------------------------------------------------------------------


def test_the_image_endpoint_serves_the_bytes_with_validators_and_304s_an_unchanged_image(
    api: ApiClient, gemini: ScriptedServer, user: User, other_user: User
):
    # Given a completed generation
    drawn = line_art_png(40, 40)
    gemini.script(image_reply(drawn))
    generation_id = _start(api, user, {"mode": "from_prompt", "prompt": "a scarf"})["id"]
    support.wait_for_generation(api, user, generation_id)
    path = f"/generations/{generation_id}/image"

    # When its image is fetched
    answer = api.get(path, token=user.access_token)

    # Then it is the image's bytes, typed, with an ETag and a long private cache lifetime
    assert answer.status == 200
    assert answer.body == drawn
    assert answer.headers["content-type"] == "image/png"
    etag = answer.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2
    assert answer.headers["cache-control"] == "private, max-age=31536000, immutable"

    # When it is asked again with that ETag, Then it is a 304 without a body
    again = api.get(path, token=user.access_token, headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    assert again.headers["etag"] == etag
    # And with another ETag it is sent again
    assert api.get(path, token=user.access_token, headers={"If-None-Match": '"other"'}).status == 200
    # And another user cannot fetch it
    assert api.get(path, token=other_user.access_token).status == 404


@pytest.mark.parametrize(
    ("drawn", "stored_mime"),
    [
        pytest.param(noisy_png(), "image/webp", id="noisy-photo-re-encoded"),
        pytest.param(line_art_png(), "image/png", id="line-art-kept"),
    ],
)
def test_a_png_from_the_model_is_stored_re_encoded_only_when_that_is_much_smaller(
    api: ApiClient, gemini: ScriptedServer, user: User, drawn: bytes, stored_mime: str
):
    # Given a model answering with a large PNG
    gemini.script(image_reply(drawn))

    # When a generation completes
    generation_id = _start(api, user, {"mode": "from_prompt", "prompt": "a coat"})["id"]
    done = support.wait_for_generation(api, user, generation_id)
    image = api.get(f"/generations/{generation_id}/image", token=user.access_token)

    # Then the stored image is the same picture, re-encoded as WebP only when that is much smaller
    assert done["status"] == "completed"
    mime, stored = support.decoded_data_uri(done["resultImageBase64"])
    assert mime == stored_mime
    assert image.headers["content-type"] == stored_mime
    assert image.body == stored
    with Image.open(io.BytesIO(stored)) as picture, Image.open(io.BytesIO(drawn)) as original:
        assert picture.size == original.size
    if stored_mime == "image/webp":
        assert len(stored) < 0.7 * len(drawn)
    else:
        assert stored == drawn


# -- cancelling -----------------------------------------------------------------------------------------


def _execution_arn(state_machine: str, generation_id: str) -> str:
    return state_machine.replace(":stateMachine:", ":execution:", 1) + f":{generation_id}"


def test_cancelling_while_the_model_works_fails_refunds_once_and_the_late_image_is_dropped(
    api: ApiClient, gemini: ScriptedServer, user: User, sql: support.Sql, sfn: Any, real_state_machine: str
):
    # Given a generation the model takes two seconds to draw, and is drawing now
    gemini.script(dataclasses.replace(image_reply(png()), delay_s=2))
    generation_id = _start(api, user, {"mode": "from_prompt", "prompt": "a slow coat"})["id"]
    support.wait_for(lambda: gemini.requests, what="the model call")

    # When the user cancels it
    answer = api.post(f"/generations/{generation_id}/cancel", token=user.access_token)

    # Then the answer is the generation, failed as cancelled, and refunded
    assert answer.status == 200, answer.body
    cancelled = answer.json()
    assert cancelled["status"] == "failed"
    assert "cancelled" in cancelled["errorMessage"]
    assert cancelled["tokensCharged"] == 0
    assert cancelled["resultImageBase64"] is None
    assert support.balance(sql, user) == 50

    # When the execution has ended (the model's answer arrived late)
    support.wait_for_execution(sfn, _execution_arn(real_state_machine, generation_id))

    # Then the generation is still the cancelled one: no image, the same message, one refund
    after = api.get(f"/generations/{generation_id}", token=user.access_token).json()
    assert after["status"] == "failed"
    assert after["errorMessage"] == cancelled["errorMessage"]
    assert after["resultImageBase64"] is None
    assert api.get(f"/generations/{generation_id}/image", token=user.access_token).status == 404
    assert support.ledger_kinds(sql, generation_id=generation_id) == ["generation_charge", "generation_refund"]
    assert support.balance(sql, user) == 50
    # And cancelling it again is refused
    again = api.post(f"/generations/{generation_id}/cancel", token=user.access_token)
    assert again.status == 409
    assert again.error_code == "conflict"


def test_a_completed_generation_cannot_be_cancelled(
    api: ApiClient, gemini: ScriptedServer, user: User, other_user: User, sql: support.Sql
):
    # Given a completed generation
    gemini.script(image_reply())
    generation_id = _start(api, user, {"mode": "from_prompt", "prompt": "a hat"})["id"]
    assert support.wait_for_generation(api, user, generation_id)["status"] == "completed"

    # When the user tries to cancel it, Then 409, and it stays completed and charged
    answer = api.post(f"/generations/{generation_id}/cancel", token=user.access_token)
    assert answer.status == 409
    assert answer.error_code == "conflict"
    assert api.get(f"/generations/{generation_id}", token=user.access_token).json()["status"] == "completed"
    assert support.ledger_kinds(sql, generation_id=generation_id) == ["generation_charge"]
    # And another user cannot cancel it either (it is not theirs to see)
    assert api.post(f"/generations/{generation_id}/cancel", token=other_user.access_token).status == 404


def test_deleting_while_the_model_works_refunds_once_and_nothing_comes_back(
    api: ApiClient, gemini: ScriptedServer, user: User, sql: support.Sql, sfn: Any, real_state_machine: str
):
    # Given a generation the model is drawing, slowly
    gemini.script(dataclasses.replace(image_reply(png()), delay_s=2))
    generation_id = _start(api, user, {"mode": "from_prompt", "prompt": "a slow scarf"})["id"]
    support.wait_for(lambda: gemini.requests, what="the model call")

    # When the user deletes it
    assert api.delete(f"/generations/{generation_id}", token=user.access_token).status == 204

    # Then, once the execution has ended, it is still gone, and its token came back once
    support.wait_for_execution(sfn, _execution_arn(real_state_machine, generation_id))
    assert api.get(f"/generations/{generation_id}", token=user.access_token).status == 404
    assert support.scalar(sql, "SELECT count(*) FROM generations") == 0
    assert support.balance(sql, user) == 50
    assert support.ledger_kinds(sql, user=user) == ["generation_charge", "generation_refund"]
