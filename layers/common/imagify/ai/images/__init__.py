"""Which image model runs: Gemini, or (only where configured, i.e. the local stack) the offline preview."""

from __future__ import annotations

from imagify.ai.images.protocol import ImageModel
from imagify.settings import ai_settings


def image_model() -> ImageModel:
    if ai_settings().image_provider == "offline":
        from imagify.ai.images.offline import OfflineImageModel

        return OfflineImageModel()
    from imagify.ai.images.gemini import GeminiImageModel

    return GeminiImageModel()
