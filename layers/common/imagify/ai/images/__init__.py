"""Which image model runs: Gemini's model of the quality tier, or (only where configured, i.e. the local
stack) the offline preview."""

from __future__ import annotations

from imagify.ai.images.protocol import ImageModel
from imagify.settings import ai_settings


def image_model(quality: str = "standard") -> ImageModel:
    settings = ai_settings()
    if settings.image_provider == "offline":
        from imagify.ai.images.offline import OfflineImageModel

        return OfflineImageModel()
    from imagify.ai.images.gemini import GeminiImageModel

    return GeminiImageModel(model=settings.gemini_pro_model if quality == "high" else settings.gemini_model)
