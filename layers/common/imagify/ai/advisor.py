"""The style advisor: a LLaMA model with image input on Bedrock (Converse API), or the offline stand-in.

The model is asked for Markdown advice that ends with a prompt for the image generator between
``<generation_prompt>`` tags. The prompt is parsed defensively: a missing or malformed one gives
``None`` (the advice is still worth keeping), never a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from imagify import images
from imagify.errors import InvalidInput, RateLimited, ServiceUnavailable
from imagify.settings import ai_settings

SYSTEM_PROMPT = """You are Imagify's personal style advisor. People ask you what to wear and sometimes send a photo of
themselves. Give warm, specific, practical advice in Markdown: what to wear (garments, colours, fabrics, fit),
why it suits them and the occasion, and one or two alternatives. Keep it under 300 words. Never comment on
weight or make assumptions about health, and never identify the person.

Finish with a prompt for an image generator that shows the look you recommend, on its own at the very end,
between <generation_prompt> and </generation_prompt>: one paragraph under 80 words describing the outfit
(garments, colours, fabrics, fit, accessories), the setting and the lighting, as a photorealistic full-body
fashion photograph. Use these tags nowhere else."""

_TAGGED = re.compile(r"<generation_prompt>\s*(.*?)\s*(?:</generation_prompt>|$)", re.IGNORECASE | re.DOTALL)
_FENCED = re.compile(r"```(?:prompt|text)?\s*\n(.*?)```", re.IGNORECASE | re.DOTALL)
MAX_PROMPT_CHARS = 2000
MIN_PROMPT_CHARS = 10


@dataclass(frozen=True)
class Advice:
    markdown: str
    prompt: str | None
    model: str


class AdvisorModel(Protocol):
    def advise(self, message: str, photo: images.Image | None) -> Advice: ...


def _clean(prompt: str) -> str | None:
    text = re.sub(r"[*_`#>]+", "", prompt)
    text = re.sub(r"\s+", " ", text).strip().strip("\"'").strip()
    if len(text) < MIN_PROMPT_CHARS:
        return None
    return text[:MAX_PROMPT_CHARS]


def split_answer(text: str) -> tuple[str, str | None]:
    """The advice to show, and the generation prompt found in it (or ``None``)."""
    tagged = _TAGGED.search(text)
    if tagged is not None:
        advice = (text[: tagged.start()] + text[tagged.end() :]).strip()
        return advice or text.strip(), _clean(tagged.group(1))
    fenced = list(_FENCED.finditer(text))
    if fenced:
        last = fenced[-1]
        return (text[: last.start()] + text[last.end() :]).strip(), _clean(last.group(1))
    return text.strip(), None


_FORMATS = {"image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp"}

# Bedrock's error codes, and what the caller is told.
_RETRY_LATER = {"ThrottlingException", "ModelNotReadyException", "TooManyRequestsException"}
_UNAVAILABLE = {
    "ServiceUnavailableException",
    "InternalServerException",
    "ModelTimeoutException",
    "ModelErrorException",
    "ModelStreamErrorException",
    # Misconfiguration on our side (model access, model id): the caller can only wait for us to fix it.
    "AccessDeniedException",
    "ResourceNotFoundException",
    "UnrecognizedClientException",
}


@cache
def default_client() -> Any:
    import boto3
    from botocore.config import Config

    settings = ai_settings()
    config = Config(
        connect_timeout=5,
        read_timeout=settings.bedrock_timeout_s,
        retries={"mode": "standard", "total_max_attempts": 2},
    )
    session = boto3.Session(profile_name=settings.bedrock_aws_profile) if settings.bedrock_aws_profile else boto3
    return session.client("bedrock-runtime", config=config)


class BedrockAdvisor:
    def __init__(self, client: Any | None = None, model_id: str | None = None) -> None:
        self._client = client
        self.model_id = model_id or ai_settings().bedrock_model_id

    def advise(self, message: str, photo: images.Image | None) -> Advice:
        from botocore.exceptions import BotoCoreError, ClientError

        content: list[dict[str, Any]] = []
        if photo is not None:
            # As for generations: Bedrock refuses images over 3.75 MB, and uploads may be up to 10 MB.
            photo = images.downscaled(photo, ai_settings().input_longest_edge)
            content.append({"image": {"format": _FORMATS[photo.mime], "source": {"bytes": photo.data}}})
        content.append({"text": message})
        try:
            response = (self._client or default_client()).converse(
                modelId=self.model_id,
                system=[{"text": SYSTEM_PROMPT}],
                messages=[{"role": "user", "content": content}],
                inferenceConfig={"maxTokens": ai_settings().advisor_max_tokens, "temperature": 0.5, "topP": 0.9},
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _RETRY_LATER:
                raise RateLimited("the style advisor is busy; try again in a moment", retry_after_s=5) from error
            if code == "ValidationException":
                raise InvalidInput(
                    "the style advisor could not read this request (the photo may be too large or unreadable)"
                ) from error
            raise ServiceUnavailable("the style advisor is unavailable right now") from error
        except BotoCoreError as error:  # timeouts and connection failures
            raise ServiceUnavailable("the style advisor did not answer in time") from error
        blocks = response.get("output", {}).get("message", {}).get("content", [])
        text = "\n".join(block["text"] for block in blocks if isinstance(block, dict) and block.get("text"))
        if not text.strip():
            raise ServiceUnavailable("the style advisor gave an empty answer; try again")
        markdown, prompt = split_answer(text)
        return Advice(markdown=markdown, prompt=prompt, model=self.model_id)


class OfflineAdvisor:
    """The local stack's stand-in when no Bedrock model is configured: says so, and still gives a prompt."""

    model = "offline-advisor"

    def advise(self, message: str, photo: images.Image | None) -> Advice:
        seen = "With the photo you sent in mind, " if photo is not None else ""
        markdown = (
            "_This answer comes from the **offline** advisor: no model was called._\n\n"
            f"{seen}here is a look for what you asked (\u201c{message[:200]}\u201d):\n\n"
            "- a relaxed, well-cut blazer in a neutral tone\n"
            "- a light shirt or fine knit underneath\n"
            "- straight trousers and clean leather shoes"
        )
        prompt = (
            "A photorealistic full-body fashion photograph of a person in a relaxed neutral-tone blazer over a "
            f"light shirt, straight trousers and clean leather shoes, styled for: {message[:300]}. Soft daylight."
        )
        return Advice(markdown=markdown, prompt=prompt, model=self.model)


def advisor_model() -> AdvisorModel:
    if ai_settings().advisor_provider == "offline":
        return OfflineAdvisor()
    return BedrockAdvisor()
