"""What generations and advice cost, and what each plan may run at once."""

from __future__ import annotations

from imagify.models.api import GenerationCosts, PlanInfo, Plans, Pricing
from imagify.settings import PricingSettings, pricing_settings


def price_list(settings: PricingSettings | None = None) -> Pricing:
    settings = settings or pricing_settings()
    return Pricing(
        generation_costs=GenerationCosts(
            tryon=settings.cost_tryon,
            from_prompt=settings.cost_from_prompt,
            photo_text=settings.cost_photo_text,
        ),
        advisor_cost=settings.advisor_cost,
        plans=Plans(
            free=PlanInfo(max_in_flight=settings.free_max_in_flight),
            pro=PlanInfo(max_in_flight=settings.pro_max_in_flight),
        ),
        signup_tokens=settings.signup_tokens,
        admin_tokens=settings.admin_tokens,
    )
