"""Gemini through the google-genai SDK.

The SDK is imported here only, and this module only by the function that generates: it costs about
0.4 s of cold start that no other function should pay.
"""

from __future__ import annotations

from typing import Any

from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from imagify import secrets
from imagify.ai.images.protocol import (
    ANSWERED_WITH_TEXT,
    BLOCKED,
    FINISH_REASONS,
    REQUEST_REFUSED,
    GeminiThrottled,
    GeminiUnavailable,
    GenerationRejected,
    ImageModelMisconfigured,
    ImageRequest,
    ImageResult,
    redacted,
)
from imagify.clients import cached
from imagify.media import Image
from imagify.observability import logger
from imagify.settings import AiSettings, ai_settings

# The API's answer for a model it does not serve (404), and for a key it refuses (401, 403).
_MISCONFIGURED = {401, 403, 404}


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
        return secrets.secret(settings.gemini_api_key_secret_id)
    raise GeminiUnavailable("no Gemini API key is configured")


@cached
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
        image_config = None
        if request.aspect_ratio is not None or request.image_size is not None:
            image_config = types.ImageConfig(aspect_ratio=request.aspect_ratio, image_size=request.image_size)
        # Each error below is raised ``from None``: the SDK's exception prints the provider's whole answer,
        # which must reach no traceback, no state machine history and no user. Its redacted text is logged.
        try:
            response = client.models.generate_content(
                model=self.model,
                contents=contents,
                config=types.GenerateContentConfig(
                    response_modalities=["IMAGE", "TEXT"],
                    image_config=image_config,
                    # The call is cut at the deadline, not left running past it.
                    http_options=None
                    if request.timeout_s is None
                    else types.HttpOptions(timeout=max(1, int(request.timeout_s * 1000)), retry_options=None),
                ),
            )
        except genai_errors.APIError as error:
            logger.warning(
                "the image model answered with an error",
                extra={
                    "model": self.model,
                    "provider_code": error.code,
                    "provider_status": redacted(error.status),
                    "provider_message": redacted(error.message),
                },
            )
            if error.code == 429:
                raise GeminiThrottled(f"Gemini is rate limiting ({error.code})") from None
            if error.code >= 500:
                raise GeminiUnavailable(f"Gemini answered {error.code}") from None
            if error.code in _MISCONFIGURED:
                raise ImageModelMisconfigured(f"Gemini answered {error.code} for model {self.model}") from None
            raise GenerationRejected(REQUEST_REFUSED) from None
        except _transient_errors() as error:
            raise GeminiUnavailable(f"Gemini did not answer in time: {type(error).__name__}") from None
        return ImageResult(image=_image_of(response, self.model), model=self.model)


def _reason(value: Any) -> str:
    return str(value.value if hasattr(value, "value") else value)


def _image_of(response: types.GenerateContentResponse, model: str) -> Image:
    """The answer's final image: its last inlineData part that is not a thought.

    Gemini 3 image models may answer with thought parts first (text, or an interim image, marked
    ``thought: true``) and put a ``thoughtSignature`` beside parts; neither is the answer.
    """
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        reason = _reason(feedback.block_reason)
        logger.info("the image model blocked the request", extra={"model": model, "block_reason": redacted(reason)})
        raise GenerationRejected(FINISH_REASONS.get(reason, BLOCKED))
    final: Image | None = None
    texts: list[str] = []
    candidates = response.candidates or []
    for candidate in candidates:
        for part in (candidate.content.parts if candidate.content else None) or []:
            if part.thought:
                continue
            if part.inline_data is not None and part.inline_data.data:
                final = Image(data=part.inline_data.data, mime=part.inline_data.mime_type or "image/png")
            elif part.text and part.text.strip():
                texts.append(part.text.strip())
    if final is not None:
        return final
    finish = _reason(candidates[0].finish_reason) if candidates and candidates[0].finish_reason else None
    logger.info(
        "the image model answered without an image",
        extra={"model": model, "finish_reason": redacted(finish), "text": redacted(" ".join(texts))},
    )
    if finish in FINISH_REASONS:
        raise GenerationRejected(FINISH_REASONS[finish])
    if texts:
        raise GenerationRejected(ANSWERED_WITH_TEXT)
    raise GenerationRejected(FINISH_REASONS["NO_IMAGE"])
