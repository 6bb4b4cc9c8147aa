"""Gemini's wire format, for a ScriptedServer standing in for generativelanguage.googleapis.com.

:class:`FakeGemini` serves, like the real API, only the models it knows: a request for any other model is
answered 404 ``NOT_FOUND`` in the API's own words, whatever was scripted (and consumes no scripted reply).
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from PIL import Image

from imagify.settings import AiSettings
from tests.fakes.http import Recorded, Reply, ScriptedServer

# The image models the Gemini API serves (GA since 2026-05-28; see its deprecations page). The previews
# (gemini-3.1-flash-image-preview, gemini-3-pro-image-preview) were shut down on 2026-06-25, and
# Gemini 2.5 Flash Image on 2026-10-02: for the fake, as for the API, they are unknown models.
SERVED_MODELS = frozenset({"gemini-3.1-flash-image", "gemini-3-pro-image"})
# The model the service asks for unless configured otherwise (AiSettings' default, not the environment's).
DEFAULT_MODEL: str = AiSettings.model_fields["gemini_model"].default
_MODEL_PATH = re.compile(r"/models/([^/:?]+):[A-Za-z]+")


def model_of(path: str) -> str | None:
    """The model a request's path names (``/v1beta/models/<model>:generateContent``), if any."""
    found = _MODEL_PATH.search(path)
    return found.group(1) if found else None


def model_not_found_reply(model: str) -> Reply:
    """The API's answer for a model it does not serve (a retired or misspelt one)."""
    message = (
        f"models/{model} is not found for API version v1beta, or is not supported for generateContent. "
        "Call ListModels to see the list of available models and their supported methods."
    )
    return Reply(404, {"error": {"code": 404, "message": message, "status": "NOT_FOUND"}})


class FakeGemini(ScriptedServer):
    """A ScriptedServer that answers 404 for a model not in ``models``, as the real API does."""

    def __init__(self, models: Iterable[str] = SERVED_MODELS) -> None:
        super().__init__()
        self.models = frozenset(models)

    def reply_to(self, request: Recorded) -> Reply:
        model = model_of(request.path)
        if model is not None and model not in self.models:
            return model_not_found_reply(model)
        return super().reply_to(request)


@contextmanager
def fake_gemini(models: Iterable[str] = SERVED_MODELS) -> Iterator[FakeGemini]:
    server = FakeGemini(models)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def png(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 30, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def noisy_png(width: int = 512, height: int = 512) -> bytes:
    """A PNG that compresses badly, as a model's photographic output does."""
    import random

    rng = random.Random(7)
    picture = Image.new("RGB", (width, height))
    picture.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(width * height)])
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def line_art_png(width: int = 256, height: int = 256) -> bytes:
    """A PNG that PNG compresses well and lossy WebP does not (sharp one-pixel black and white detail)."""
    picture = Image.new("RGB", (width, height))
    picture.putdata([(255, 255, 255) if (x + y) % 2 else (0, 0, 0) for y in range(height) for x in range(width)])
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def image_reply(data: bytes | None = None, mime: str = "image/png") -> Reply:
    encoded = base64.b64encode(data or png()).decode()
    return Reply(
        200,
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"inlineData": {"mimeType": mime, "data": encoded}}]},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 1290, "totalTokenCount": 1302},
            "modelVersion": DEFAULT_MODEL,
        },
    )


def safety_block_reply() -> Reply:
    return Reply(200, {"promptFeedback": {"blockReason": "SAFETY"}, "modelVersion": DEFAULT_MODEL})


def no_image_reply() -> Reply:
    return Reply(200, {"candidates": [{"finishReason": "NO_IMAGE", "index": 0}]})


def text_only_reply(text: str = "I can describe the outfit but cannot draw it.") -> Reply:
    return Reply(
        200,
        {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}]},
    )


def error_reply(status: int, message: str | None = None) -> Reply:
    names = {
        400: "INVALID_ARGUMENT",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        503: "UNAVAILABLE",
    }
    body = {"error": {"code": status, "message": message or f"fake {status}", "status": names.get(status, "X")}}
    return Reply(status, body)


def html_error_reply(status: int, html: str) -> Reply:
    """An error answered by something in front of the API (a proxy, a load balancer): an HTML page."""
    return Reply(status, html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})


def signature(seed: int = 1) -> str:
    """A ``thoughtSignature`` as the API sends it: opaque bytes, base64."""
    return base64.b64encode(bytes((seed * 37 + i) % 256 for i in range(48))).decode()


def thinking_image_reply(final: bytes, *, interim: bytes | None = None, mime: str = "image/png") -> Reply:
    """A Gemini 3 image model's answer: thought text and an interim thought image first, each with a
    ``thoughtSignature`` (as is the final image part), then a plain text part, then the final image."""
    parts: list[dict[str, Any]] = [
        {"text": "**Composing the outfit**\nI will place the coat on the person.", "thought": True},
        {
            "inlineData": {"mimeType": mime, "data": base64.b64encode(interim or png(8, 8, (1, 1, 1))).decode()},
            "thought": True,
            "thoughtSignature": signature(1),
        },
        {"text": "Here is the image you asked for.", "thoughtSignature": signature(2)},
        {"inlineData": {"mimeType": mime, "data": base64.b64encode(final).decode()}, "thoughtSignature": signature(3)},
    ]
    return Reply(
        200,
        {
            "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 1290, "thoughtsTokenCount": 200},
            "modelVersion": DEFAULT_MODEL,
        },
    )


def thoughts_only_reply() -> Reply:
    """An answer with thought text only (no image, no answer text): the model drew nothing."""
    parts = [{"text": "Thinking about the outfit and the light.", "thought": True, "thoughtSignature": signature(4)}]
    return Reply(200, {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}]})


def parts_of(request_body: Any) -> list[dict[str, Any]]:
    """The parts of the (single) user content of a generateContent request."""
    contents = request_body["contents"]
    return [part for content in contents for part in content["parts"]]
