"""The real google-genai client against a local server that speaks Gemini's wire format."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import pytest
from google import genai
from google.genai import types

from imagify.ai.images.gemini import GeminiImageModel
from imagify.ai.images.protocol import (
    ANSWERED_WITH_TEXT,
    GeminiThrottled,
    GeminiUnavailable,
    GenerationRejected,
    ImageRequest,
)
from imagify.media import Image
from tests.fakes import gemini as fakes
from tests.fakes.gemini import (
    DEFAULT_MODEL,
    FakeGemini,
    error_reply,
    image_reply,
    no_image_reply,
    parts_of,
    png,
    safety_block_reply,
    text_only_reply,
)

PERSON = Image(png(40, 60, (10, 10, 200)), "image/png")
GARMENT = Image(png(30, 30, (250, 250, 0)), "image/png")


def _decoded(data: str) -> bytes:
    # The SDK sends bytes as URL-safe base64 without padding.
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


@pytest.fixture
def fake_gemini() -> Iterator[FakeGemini]:
    with fakes.fake_gemini() as server:
        yield server


def model_for(server: FakeGemini, timeout_s: float = 10, model: str = DEFAULT_MODEL) -> GeminiImageModel:
    client = genai.Client(
        api_key="test-key",
        http_options=types.HttpOptions(base_url=server.url, timeout=int(timeout_s * 1000), retry_options=None),
    )
    return GeminiImageModel(client=client, model=model)


def test_tryon_sends_the_instruction_and_both_photos_and_returns_the_image(fake_gemini: FakeGemini):
    # Given a model that answers with an image
    answer = png(80, 80, (0, 128, 0))
    fake_gemini.script(image_reply(answer))

    # When a try-on is generated
    result = model_for(fake_gemini).generate(ImageRequest("put the garment on the person", (PERSON, GARMENT)))

    # Then the request named the model, carried the key, the instruction and both images, in order
    request = fake_gemini.requests[0]
    assert request.path.endswith(f"/models/{DEFAULT_MODEL}:generateContent")
    assert request.headers.get("x-goog-api-key") == "test-key"
    parts = parts_of(request.body)
    assert parts[0] == {"text": "put the garment on the person"}
    assert [_decoded(p["inlineData"]["data"]) for p in parts[1:]] == [PERSON.data, GARMENT.data]
    # (the SDK writes the mime type in snake case inside inlineData; the API accepts both)
    assert [p["inlineData"].get("mimeType", p["inlineData"].get("mime_type")) for p in parts[1:]] == ["image/png"] * 2
    assert request.body["generationConfig"]["responseModalities"] == ["IMAGE", "TEXT"]
    # And the image came back as sent
    assert result.image == Image(answer, "image/png")
    assert result.model == DEFAULT_MODEL


def test_a_prompt_only_request_sends_only_text(fake_gemini: FakeGemini):
    fake_gemini.script(image_reply())
    model_for(fake_gemini).generate(ImageRequest("a red coat", ()))
    assert parts_of(fake_gemini.requests[0].body) == [{"text": "a red coat"}]


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (safety_block_reply(), "declined this request for safety reasons"),
        (no_image_reply(), "did not produce an image"),
        (text_only_reply("Sorry, no."), ANSWERED_WITH_TEXT),
    ],
    ids=["safety-block", "no-image", "text-only"],
)
def test_a_200_without_an_image_is_a_rejection_a_person_can_read(fake_gemini: FakeGemini, reply, reason):
    fake_gemini.script(reply)
    with pytest.raises(GenerationRejected) as raised:
        model_for(fake_gemini).generate(ImageRequest("x", ()))
    assert reason in str(raised.value)
    # (the model's own words are not repeated: what it said is logged, not shown)
    assert "Sorry" not in str(raised.value)


def test_429_is_throttled_and_the_next_call_succeeds(fake_gemini: FakeGemini):
    # Given a model that throttles once, then answers
    fake_gemini.script(error_reply(429), image_reply())
    model = model_for(fake_gemini)

    # When called twice (the state machine's retry), Then the first is GeminiThrottled, the second works
    with pytest.raises(GeminiThrottled):
        model.generate(ImageRequest("x", ()))
    assert model.generate(ImageRequest("x", ())).image.mime == "image/png"
    # And the SDK itself did not retry: one request per call
    assert len(fake_gemini.requests) == 2


def test_503_always_is_unavailable(fake_gemini: FakeGemini):
    fake_gemini.script(error_reply(503))
    model = model_for(fake_gemini)
    for _ in range(3):
        with pytest.raises(GeminiUnavailable):
            model.generate(ImageRequest("x", ()))
    assert len(fake_gemini.requests) == 3


def test_a_400_is_a_rejection_not_a_retry(fake_gemini: FakeGemini):
    fake_gemini.script(error_reply(400))
    with pytest.raises(GenerationRejected):
        model_for(fake_gemini).generate(ImageRequest("x", ()))


def test_a_slow_answer_past_the_timeout_is_unavailable_within_the_bound(fake_gemini: FakeGemini):
    # Given a model that takes 5 s, and a client that waits 1 s
    fake_gemini.script(image_reply().__class__(200, image_reply().body, delay_s=5))
    started = time.monotonic()

    # When called, Then it gives up as GeminiUnavailable (retryable) well before the answer would come
    with pytest.raises(GeminiUnavailable, match="did not answer in time"):
        model_for(fake_gemini, timeout_s=1).generate(ImageRequest("x", ()))
    assert time.monotonic() - started < 4.5
