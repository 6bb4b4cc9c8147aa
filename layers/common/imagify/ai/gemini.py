"""Gemini through the google-genai SDK.

The SDK is imported here only, and this module only by the function that generates: it costs about
0.4 s of cold start that no other function should pay.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from imagify.ai.images import GeminiThrottled, GeminiUnavailable, GenerationRejected, ImageRequest, ImageResult
from imagify.images import Image
from imagify.settings import AiSettings, ai_settings

# Why a 200 answer may hold no image, in words a person can act on.
_FINISH_REASONS = {
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


def _transient_errors() -> tuple[type[BaseException], ...]:
    """The transport's timeouts and connection failures (the SDK uses httpx or its fork httpx2)."""
    found: list[type[BaseException]] = []
    for name in ("httpx2", "httpx"):
        try:
            module = __import__(name)
        except ImportError:
            continue
        found += [module.TimeoutException, module.TransportError]
    return tuple(found)


def _api_key(settings: AiSettings) -> str:
    if settings.gemini_api_key:
        return settings.gemini_api_key
    if settings.gemini_api_key_secret_id:
        from aws_lambda_powertools.utilities.parameters import get_secret

        return str(get_secret(settings.gemini_api_key_secret_id, max_age=300))
    raise GeminiUnavailable("no Gemini API key is configured")


@cache
def default_client() -> genai.Client:
    settings = ai_settings()
    options = types.HttpOptions(
        timeout=int(settings.gemini_timeout_s * 1000),
        base_url=settings.gemini_base_url,
        # No retries inside the SDK: the state machine retries, with backoff, where a retry is visible.
        retry_options=None,
    )
    return genai.Client(api_key=_api_key(settings), http_options=options)


class GeminiImageModel:
    def __init__(self, client: genai.Client | None = None, model: str | None = None) -> None:
        self._client = client
        self.model = model or ai_settings().gemini_model

    def generate(self, request: ImageRequest) -> ImageResult:
        client = self._client or default_client()
        contents: list[Any] = [request.instruction]
        contents += [types.Part.from_bytes(data=image.data, mime_type=image.mime) for image in request.images]
        try:
            response = client.models.generate_content(
                model=self.model,
                contents=contents,
                config=types.GenerateContentConfig(response_modalities=["IMAGE", "TEXT"]),
            )
        except genai_errors.APIError as error:
            if error.code == 429:
                raise GeminiThrottled(f"Gemini is rate limiting: {error.message}") from error
            if error.code >= 500:
                raise GeminiUnavailable(f"Gemini answered {error.code}: {error.message}") from error
            raise GenerationRejected(f"the image model refused the request ({error.code}): {error.message}") from error
        except _transient_errors() as error:
            raise GeminiUnavailable(f"Gemini did not answer in time: {type(error).__name__}") from error
        return ImageResult(image=_image_of(response), model=self.model)


def _image_of(response: types.GenerateContentResponse) -> Image:
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        reason = str(feedback.block_reason.value if hasattr(feedback.block_reason, "value") else feedback.block_reason)
        raise GenerationRejected(_FINISH_REASONS.get(reason, f"the image model blocked the request ({reason})"))
    texts: list[str] = []
    for candidate in response.candidates or []:
        for part in (candidate.content.parts if candidate.content else None) or []:
            if part.inline_data is not None and part.inline_data.data:
                return Image(data=part.inline_data.data, mime=part.inline_data.mime_type or "image/png")
            if part.text:
                texts.append(part.text.strip())
    finish = None
    if response.candidates and response.candidates[0].finish_reason is not None:
        raw = response.candidates[0].finish_reason
        finish = str(raw.value if hasattr(raw, "value") else raw)
    if finish in _FINISH_REASONS and finish != "STOP":
        raise GenerationRejected(_FINISH_REASONS[finish])
    if texts:
        said = " ".join(texts)[:300]
        raise GenerationRejected(f"the image model answered with text instead of an image: {said}")
    raise GenerationRejected(_FINISH_REASONS["NO_IMAGE"])
