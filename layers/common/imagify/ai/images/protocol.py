"""What an image model is asked and what it answers, whichever model it is.

Light on purpose (no SDK, no Pillow): the flow's other tasks import it to read the errors.

The words a user reads when a generation fails are fixed here, never taken from a provider: a
provider's error text may hold an API key, a project number, an upstream URL or a whole HTML page. What
the provider said goes to the logs only, through :func:`redacted`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

from imagify.media import Image

ImageSize = Literal["1K", "2K", "4K"]


class GeminiThrottled(Exception):
    """429 from the model: the state machine retries with backoff."""


class GeminiUnavailable(Exception):
    """5xx, a timeout or a dropped connection: the state machine retries with backoff."""


class ImageModelMisconfigured(Exception):
    """The model is not served to us (404: retired or misnamed) or our key is refused (401/403).

    Not retried: only a change of configuration helps. Its own name, so that a metric (``GenerationsFailed``
    with ``reason=ImageModelMisconfigured``) can raise an alarm the day a model is shut down.
    """


class GenerationRejected(Exception):
    """The model answered but gave no usable image (a safety block, no image, text only, bytes that are no
    image): not retried. Its message is one of :data:`REJECTIONS`, so it can be shown as it is."""


# Why a 200 answer holds no image, by Gemini's finish or block reason, in words a person can act on.
FINISH_REASONS = {
    "SAFETY": "the image model declined this request for safety reasons",
    "IMAGE_SAFETY": "the image model declined to draw this for safety reasons",
    "PROHIBITED_CONTENT": "the request asks for content the image model does not produce",
    "BLOCKLIST": "the request contains words the image model does not accept",
    "SPII": "the request seems to contain personal information the image model does not process",
    "RECITATION": "the image model could not answer without copying protected material",
    "NO_IMAGE": "the image model did not produce an image for this request; try rewording it",
    "IMAGE_PROHIBITED_CONTENT": "the request asks for an image the image model does not produce",
    "IMAGE_RECITATION": "the image model could not draw this without copying protected material",
    "IMAGE_OTHER": "the image model could not produce an image for this request",
    "MAX_TOKENS": "the image model stopped before it produced an image",
}
BLOCKED = "the image model blocked this request"
ANSWERED_WITH_TEXT = "the image model answered with text instead of an image; try rewording the request"
REQUEST_REFUSED = "the image model could not process this request"
UNREADABLE_IMAGE = "the image model sent back something that is not a readable PNG, JPEG or WebP image"
IMAGE_TOO_LARGE = "the image model sent back an image larger than this service accepts"
# Every message a GenerationRejected may carry: anything else is not shown to the user.
REJECTIONS = frozenset(
    {*FINISH_REASONS.values(), BLOCKED, ANSWERED_WITH_TEXT, REQUEST_REFUSED, UNREADABLE_IMAGE, IMAGE_TOO_LARGE}
)

# Google API keys (``AIza`` and 35 more characters), and secrets passed as query parameters.
_API_KEY = re.compile(r"AIza[0-9A-Za-z_\-]{35}")
_SECRET_PARAMETER = re.compile(r"(?i)\b((?:key|api_key|apikey|access_token|token)=)[^&\s\"'<>#]+")
_MAX_LOGGED_CHARS = 2000


def redacted(text: object) -> str:
    """A provider's text fit for the logs: API keys and secret query parameters masked, length bounded."""
    value = _API_KEY.sub("AIza[REDACTED]", str(text))
    value = _SECRET_PARAMETER.sub(r"\1[REDACTED]", value)
    return value[:_MAX_LOGGED_CHARS]


@dataclass(frozen=True)
class ImageRequest:
    instruction: str
    images: tuple[Image, ...]
    # Sent only when set (Gemini's ``generationConfig.imageConfig``); the model's own defaults otherwise.
    aspect_ratio: str | None = None
    image_size: ImageSize | None = None
    # How long the model may take for this request (a generation's deadline); the client's own limit otherwise.
    timeout_s: float | None = None


@dataclass(frozen=True)
class ImageResult:
    """The model's image as it sent it: the flow decodes it (and trusts only the bytes) before keeping it."""

    image: Image
    model: str


class ImageModel(Protocol):
    def generate(self, request: ImageRequest) -> ImageResult: ...
