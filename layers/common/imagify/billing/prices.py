"""What a generation costs and what a plan may run: the price list's rules, from the settings (light on purpose:
``GET /pricing`` imports it without the database)."""

from __future__ import annotations

from imagify.settings import pricing_settings


def cost_of(mode: str, quality: str = "standard", image_size: str | None = None) -> int:
    """Tokens a generation costs: its mode's, plus what the high tier and a larger size add."""
    settings = pricing_settings()
    base = {"tryon": settings.cost_tryon, "from_prompt": settings.cost_from_prompt}.get(mode, settings.cost_photo_text)
    extra = settings.cost_high_extra if quality == "high" else 0
    extra += {"2K": settings.cost_2k_extra, "4K": settings.cost_4k_extra}.get(image_size or "1K", 0)
    return base + extra


def sizes_of(quality: str) -> tuple[str, ...]:
    """The image sizes a quality tier's model is asked for."""
    settings = pricing_settings()
    return settings.high_image_sizes if quality == "high" else settings.standard_image_sizes


def max_in_flight(plan: str) -> int:
    settings = pricing_settings()
    return settings.pro_max_in_flight if plan == "pro" else settings.free_max_in_flight
