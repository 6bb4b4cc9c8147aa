"""Gemini's wire format, for a ScriptedServer standing in for generativelanguage.googleapis.com."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image

from tests.fakes.http import Reply


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
            "modelVersion": "gemini-2.5-flash-image",
        },
    )


def safety_block_reply() -> Reply:
    return Reply(200, {"promptFeedback": {"blockReason": "SAFETY"}, "modelVersion": "gemini-2.5-flash-image"})


def no_image_reply() -> Reply:
    return Reply(200, {"candidates": [{"finishReason": "NO_IMAGE", "index": 0}]})


def text_only_reply(text: str = "I can describe the outfit but cannot draw it.") -> Reply:
    return Reply(
        200,
        {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}]},
    )


def error_reply(status: int) -> Reply:
    names = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 400: "INVALID_ARGUMENT"}
    return Reply(status, {"error": {"code": status, "message": f"fake {status}", "status": names.get(status, "X")}})


def parts_of(request_body: Any) -> list[dict[str, Any]]:
    """The parts of the (single) user content of a generateContent request."""
    contents = request_body["contents"]
    return [part for content in contents for part in content["parts"]]
