"""BedrockAdvisor with the real boto3 ``bedrock-runtime`` client against a local server speaking Converse."""

from __future__ import annotations

import io
import socket

import pytest
from PIL import Image as PILImage

from imagify import media
from imagify.ai.advice.bedrock import BedrockAdvisor
from imagify.ai.advice.protocol import SYSTEM_PROMPT
from imagify.errors import InvalidInput, RateLimited, ServiceUnavailable
from imagify.settings import ai_settings
from tests.fakes import bedrock
from tests.fakes.gemini import png
from tests.fakes.http import ScriptedServer
from tests.integration.wardrobe.helpers import jpeg

MODEL_ID = "us.meta.llama4-maverick-17b-instruct-v1:0"
PROMPT = "A photorealistic full-body photograph of a person in a navy linen suit and white sneakers, golden hour."
ANSWER = f"## A summer wedding\n\nA navy linen suit, white sneakers.\n\n<generation_prompt>{PROMPT}</generation_prompt>"


@pytest.fixture
def fake(fake_bedrock: ScriptedServer) -> ScriptedServer:
    return fake_bedrock


def advisor_for(server: ScriptedServer) -> BedrockAdvisor:
    return BedrockAdvisor(client=bedrock.client(server.url), model_id=MODEL_ID)


def test_the_request_carries_the_model_the_system_prompt_the_photo_and_the_question(fake: ScriptedServer):
    # Given a model that answers, and a PNG photo
    fake.script(bedrock.text_reply(ANSWER))
    photo = media.Image(png(40, 60), "image/png")

    # When advice is asked with the photo
    advisor_for(fake).advise("What should I wear to a summer wedding?", photo)

    # Then one Converse call named the model and carried the system prompt
    [request] = fake.requests
    assert bedrock.model_id_of(request) == MODEL_ID
    assert bedrock.system_text(request) == SYSTEM_PROMPT
    # And the user message is the image (its format and exact bytes) followed by the text
    blocks = bedrock.user_blocks(request)
    assert [next(iter(b)) for b in blocks] == ["image", "text"]
    assert bedrock.images_of(request) == [("png", photo.data)]
    assert bedrock.texts_of(request) == ["What should I wear to a summer wedding?"]
    assert request.body["inferenceConfig"]["maxTokens"] >= 64


def test_a_jpeg_photo_is_sent_as_format_jpeg(fake: ScriptedServer):
    fake.script(bedrock.text_reply(ANSWER))
    photo = media.Image(jpeg(), "image/jpeg")
    advisor_for(fake).advise("Casual Friday?", photo)
    assert bedrock.images_of(fake.requests[0]) == [("jpeg", photo.data)]


def test_without_a_photo_only_the_text_is_sent(fake: ScriptedServer):
    fake.script(bedrock.text_reply(ANSWER))
    advisor_for(fake).advise("Casual Friday?", None)
    assert bedrock.user_blocks(fake.requests[0]) == [{"text": "Casual Friday?"}]


def test_the_answer_is_split_into_advice_and_prompt(fake: ScriptedServer):
    fake.script(bedrock.text_reply(ANSWER))
    advice = advisor_for(fake).advise("x", None)
    assert advice.prompt == PROMPT
    assert advice.markdown == "## A summer wedding\n\nA navy linen suit, white sneakers."
    assert advice.model == MODEL_ID


def test_an_answer_without_a_prompt_is_still_advice(fake: ScriptedServer):
    fake.script(bedrock.text_reply("Wear what makes you comfortable."))
    advice = advisor_for(fake).advise("x", None)
    assert (advice.markdown, advice.prompt) == ("Wear what makes you comfortable.", None)


def test_several_text_blocks_are_read_as_one_answer(fake: ScriptedServer):
    reply = bedrock.text_reply("")
    reply.body["output"]["message"]["content"] = [{"text": "Part one."}, {"text": f"<generation_prompt>{PROMPT}"}]
    fake.script(reply)
    advice = advisor_for(fake).advise("x", None)
    assert (advice.markdown, advice.prompt) == ("Part one.", PROMPT)


def test_an_empty_answer_is_unavailable(fake: ScriptedServer):
    fake.script(bedrock.text_reply("  \n "))
    with pytest.raises(ServiceUnavailable, match="empty answer"):
        advisor_for(fake).advise("x", None)


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (bedrock.error_reply(429), RateLimited),
        (bedrock.error_reply(429, "ModelNotReadyException"), RateLimited),
        (bedrock.error_reply(400), InvalidInput),
        (bedrock.error_reply(503), ServiceUnavailable),
        (bedrock.error_reply(500), ServiceUnavailable),
        (bedrock.error_reply(424, "ModelErrorException"), ServiceUnavailable),
        (bedrock.error_reply(403, "AccessDeniedException"), ServiceUnavailable),
        (bedrock.error_reply(404, "ResourceNotFoundException"), ServiceUnavailable),
    ],
    ids=["throttling", "model-not-ready", "validation", "unavailable", "internal", "model-error", "denied", "no-model"],
)
def test_bedrock_errors_become_what_the_caller_is_told(fake: ScriptedServer, reply, error):
    fake.script(reply)
    with pytest.raises(error) as raised:
        advisor_for(fake).advise("x", None)
    if isinstance(raised.value, RateLimited):
        assert raised.value.retry_after_s == 5
    assert len(fake.requests) == 1


def test_an_unreachable_endpoint_is_unavailable():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ServiceUnavailable, match="did not answer"):
        BedrockAdvisor(client=bedrock.client(f"http://127.0.0.1:{port}"), model_id=MODEL_ID).advise("x", None)


def test_a_large_photo_is_sent_downscaled_in_its_format(fake: ScriptedServer):
    # Given a phone-sized JPEG (Bedrock refuses images over 3.75 MB; photos may be uploaded up to 10 MB)
    out = io.BytesIO()
    PILImage.new("RGB", (3000, 4000), (200, 180, 150)).save(out, "JPEG", quality=95)
    fake.script(bedrock.text_reply(ANSWER))

    # When advice is asked with it
    advisor_for(fake).advise("x", media.Image(out.getvalue(), "image/jpeg"))

    # Then the model got it at most as large as generations use (input_longest_edge), still a JPEG
    [(fmt, data)] = bedrock.images_of(fake.requests[0])
    with PILImage.open(io.BytesIO(data)) as sent:
        assert (fmt, sent.format) == ("jpeg", "JPEG")
        assert max(sent.size) == ai_settings().input_longest_edge
        assert sent.size == (1152, 1536)
