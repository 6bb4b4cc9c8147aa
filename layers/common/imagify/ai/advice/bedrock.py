"""The style advisor on Amazon Bedrock: a LLaMA model with image input, through the Converse API."""

from __future__ import annotations

from typing import Any

from imagify import lifecycle, media
from imagify.ai.advice.protocol import SYSTEM_PROMPT, Advice, split_answer
from imagify.clients import cached
from imagify.errors import InvalidInput, RateLimited, ServiceUnavailable
from imagify.settings import ai_settings

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


@cached
def default_client() -> Any:
    lifecycle.refuse_offline("Bedrock client")
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

    def advise(self, message: str, photo: media.Image | None) -> Advice:
        from botocore.exceptions import BotoCoreError, ClientError

        content: list[dict[str, Any]] = []
        if photo is not None:
            # As for generations: Bedrock refuses images over 3.75 MB, and uploads may be up to 10 MB.
            photo = media.downscaled(photo, ai_settings().input_longest_edge)
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
