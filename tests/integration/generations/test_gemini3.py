"""Gemini 3 image models through the real google-genai client and the fake Gemini: which models are served,
the request's imageConfig, thought parts in the answer, and what a provider's error text may reach."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from google import genai
from google.genai import types

from imagify.ai.images.gemini import GeminiImageModel
from imagify.ai.images.protocol import (
    ANSWERED_WITH_TEXT,
    FINISH_REASONS,
    REQUEST_REFUSED,
    GenerationRejected,
    ImageModelMisconfigured,
    ImageRequest,
    redacted,
)
from imagify.settings import AiSettings
from tests.fakes.gemini import (
    DEFAULT_MODEL,
    SERVED_MODELS,
    FakeGemini,
    error_reply,
    fake_gemini,
    html_error_reply,
    image_reply,
    png,
    thinking_image_reply,
    thoughts_only_reply,
)
from tests.fakes.http import Reply

ROOT = Path(__file__).resolve().parents[3]
# A key of the right shape (not a real one): ``AIza`` and 35 more characters.
LEAKED_KEY = "AIzaSyD3adB33fC0ffee_0123456789abcdefgh"


@pytest.fixture
def server() -> Iterator[FakeGemini]:
    with fake_gemini() as fake:
        yield fake


def model_for(server: FakeGemini, model: str = DEFAULT_MODEL) -> GeminiImageModel:
    client = genai.Client(
        api_key="test-key",
        http_options=types.HttpOptions(base_url=server.url, timeout=10_000, retry_options=None),
    )
    return GeminiImageModel(client=client, model=model)


def _urlsafe(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


# -- the models -------------------------------------------------------------------------------------------


def test_the_default_models_are_ones_the_api_serves_and_the_template_agrees():
    assert DEFAULT_MODEL in SERVED_MODELS
    assert AiSettings.model_fields["gemini_pro_model"].default in SERVED_MODELS
    template = (ROOT / "template.yaml").read_text()
    # (the template's tags, !Ref and the like, are not plain YAML: only the Parameters block is read)
    parameters = yaml.safe_load(template[template.index("Parameters:") : template.index("\nConditions:")])
    assert parameters["Parameters"]["GeminiModel"]["Default"] == AiSettings.model_fields["gemini_model"].default
    pro = AiSettings.model_fields["gemini_pro_model"].default
    assert parameters["Parameters"]["GeminiProModel"]["Default"] == pro
    assert parameters["Parameters"]["BedrockModelId"]["Default"] == AiSettings.model_fields["bedrock_model_id"].default


def test_no_code_path_names_a_gemini_model():
    # Model ids live in AiSettings and template.yaml only (a retired one is then a one-line change).
    named = re.compile(r"gemini-\d[\w.-]*")
    found = []
    for folder in ("layers", "functions", "devstack"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "settings.py" and path.parent.name == "imagify":
                continue
            found += [f"{path.relative_to(ROOT)}: {name}" for name in named.findall(path.read_text())]
    assert found == []


def test_a_model_the_api_does_not_serve_is_answered_404_as_the_real_api_does(server: FakeGemini):
    # Given a scripted image, and a request for a model that was shut down
    server.script(image_reply())
    retired = f"{DEFAULT_MODEL}-preview"

    # When the real client asks for it, Then the API's 404 is a configuration error, not a rejection
    with pytest.raises(ImageModelMisconfigured) as raised:
        model_for(server, retired).generate(ImageRequest("x", ()))
    assert "404" in str(raised.value)
    assert raised.value.__cause__ is None  # the SDK's exception (the provider's whole answer) is not chained

    # And the fake answered in the API's words, without using the scripted reply
    reply = server.reply_to(server.requests[0])
    assert reply.status == 404
    assert reply.body == {
        "error": {
            "code": 404,
            "message": f"models/{retired} is not found for API version v1beta, or is not supported for "
            "generateContent. Call ListModels to see the list of available models and their supported methods.",
            "status": "NOT_FOUND",
        }
    }
    assert model_for(server).generate(ImageRequest("x", ())).image.mime == "image/png"


# -- the request's imageConfig --------------------------------------------------------------------------


def test_aspect_ratio_and_image_size_are_sent_as_image_config(server: FakeGemini):
    server.script(image_reply())
    model_for(server).generate(ImageRequest("a coat", (), aspect_ratio="3:4", image_size="2K"))
    config = server.requests[0].body["generationConfig"]
    assert config["imageConfig"] == {"aspectRatio": "3:4", "imageSize": "2K"}
    assert config["responseModalities"] == ["IMAGE", "TEXT"]


def test_without_them_no_image_config_is_sent(server: FakeGemini):
    server.script(image_reply())
    model_for(server).generate(ImageRequest("a coat", ()))
    assert "imageConfig" not in server.requests[0].body["generationConfig"]


def test_only_an_image_size_sends_only_that(server: FakeGemini):
    server.script(image_reply())
    model_for(server).generate(ImageRequest("a coat", (), image_size="4K"))
    assert server.requests[0].body["generationConfig"]["imageConfig"] == {"imageSize": "4K"}


# -- thought parts ----------------------------------------------------------------------------------------


def test_the_final_image_is_the_last_one_that_is_not_a_thought(server: FakeGemini):
    # Given an answer with thought text, an interim thought image, signatures and then the final image
    interim = png(8, 8, (5, 5, 5))
    final = png(40, 30, (0, 90, 0))
    server.script(thinking_image_reply(final, interim=interim))

    # When generated, Then the image is the final one, not the interim thought image
    result = model_for(server).generate(ImageRequest("a coat", ()))
    assert result.image.data == final
    assert result.image.data != interim


def test_thought_text_alone_is_no_image_not_an_answer_in_text(server: FakeGemini):
    server.script(thoughts_only_reply())
    with pytest.raises(GenerationRejected) as raised:
        model_for(server).generate(ImageRequest("a coat", ()))
    assert str(raised.value) == FINISH_REASONS["NO_IMAGE"]
    assert str(raised.value) != ANSWERED_WITH_TEXT


# -- the provider's words ---------------------------------------------------------------------------------

PROJECT = "projects/483920117465"
UPSTREAM = "https://generativelanguage.googleapis.com/v1beta/models/x:generateContent?key=" + LEAKED_KEY
HOSTILE = [
    pytest.param(
        error_reply(400, f"API key not valid. Please pass a valid API key. ({LEAKED_KEY}) for {PROJECT}"),
        GenerationRejected,
        id="400-with-key-and-project",
    ),
    pytest.param(
        error_reply(403, f"Permission denied on resource {PROJECT}. Upstream {UPSTREAM} refused the call."),
        ImageModelMisconfigured,
        id="403-with-project-and-url",
    ),
    pytest.param(
        error_reply(404, f"models/x is not found; see {UPSTREAM} ({LEAKED_KEY})"),
        ImageModelMisconfigured,
        id="404-with-url-and-key",
    ),
    pytest.param(
        html_error_reply(
            400,
            "<html><body><h1>Bad Request</h1><pre>Traceback (most recent call last):\n"
            f'  File "/srv/proxy.py", line 12, in forward\nKeyError: {LEAKED_KEY}</pre></body></html>',
        ),
        GenerationRejected,
        id="400-html-traceback",
    ),
]
SECRETS = (LEAKED_KEY, "483920117465", "generativelanguage.googleapis.com", "Traceback", "<html", "proxy.py")


@pytest.mark.parametrize(("reply", "raised_as"), HOSTILE)
def test_a_provider_error_is_told_in_our_words_and_logged_with_the_key_redacted(
    server: FakeGemini, captured_logs: io.StringIO, reply: Reply, raised_as: type[Exception]
):
    server.script(reply)

    with pytest.raises(raised_as) as raised:
        model_for(server).generate(ImageRequest("x", ()))

    # Then the error (what the state machine and, through it, the user get) holds none of the provider's words
    error = raised.value
    assert error.__cause__ is None
    assert error.__suppress_context__
    if isinstance(error, GenerationRejected):
        assert str(error) == REQUEST_REFUSED
    for secret in SECRETS:
        assert secret not in str(error)
    # And the provider's text is in the log, with the key redacted
    written = captured_logs.getvalue()
    record = json.loads(next(line for line in written.splitlines() if "answered with an error" in line))
    assert record["provider_code"] == int(reply.status)
    assert record["provider_message"]
    assert LEAKED_KEY not in written
    assert "AIza[REDACTED]" in written or "key=[REDACTED]" in written


def test_text_the_model_wrote_is_logged_redacted_and_never_quoted(server: FakeGemini, captured_logs: io.StringIO):
    server.script(Reply(200, {"candidates": [{"content": {"parts": [{"text": f"use key {LEAKED_KEY}"}]}}]}))
    with pytest.raises(GenerationRejected) as raised:
        model_for(server).generate(ImageRequest("x", ()))
    assert str(raised.value) == ANSWERED_WITH_TEXT
    assert LEAKED_KEY not in captured_logs.getvalue()
    assert "use key AIza[REDACTED]" in captured_logs.getvalue()


def test_redacted_masks_keys_and_secret_query_parameters_and_bounds_the_length():
    text = f"GET /v1?alt=json&key={LEAKED_KEY[:10]}&x=1 and {LEAKED_KEY} and ?access_token=ya29.abc-def"
    masked = redacted(text)
    assert LEAKED_KEY not in masked
    assert LEAKED_KEY[:10] not in masked
    assert "ya29" not in masked
    assert "key=[REDACTED]&x=1" in masked
    assert "access_token=[REDACTED]" in masked
    assert len(redacted("x" * 10_000)) <= 2000
