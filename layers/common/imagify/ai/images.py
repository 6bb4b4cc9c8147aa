"""What an image model is asked and what it answers, whichever model it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from imagify.images import Image


class GeminiThrottled(Exception):
    """429 from the model: the state machine retries with backoff."""


class GeminiUnavailable(Exception):
    """5xx, a timeout or a dropped connection: the state machine retries with backoff."""


class GenerationRejected(Exception):
    """The model answered but gave no image (a safety block, no image, text only): not retried."""


@dataclass(frozen=True)
class ImageRequest:
    instruction: str
    images: tuple[Image, ...]


@dataclass(frozen=True)
class ImageResult:
    image: Image
    model: str


class ImageModel(Protocol):
    def generate(self, request: ImageRequest) -> ImageResult: ...
