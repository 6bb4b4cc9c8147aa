from imagify.billing.prices import cost_of, sizes_of
from imagify.models.pricing import (
    GenerationCosts,
    ImageSizeExtras,
    PlanInfo,
    Plans,
    Pricing,
    Qualities,
    QualityTier,
)
from imagify.settings import AdvisorCostSettings, CorsSettings, pricing_settings, require
from imagify.web import api_handler, resolver, responses

require(CorsSettings, AdvisorCostSettings)
app = resolver()


@app.get(
    "/pricing",
    summary="What things cost",
    description=(
        "Tokens per generation by mode, quality tier and size, per piece of advice, the plans' limits, and the "
        "tokens a new account gets."
    ),
    tags=["service"],
    responses=responses(200, "the prices"),
)
def get_pricing() -> Pricing:
    settings = pricing_settings()
    tiers = {
        quality: QualityTier(
            costs=GenerationCosts(
                tryon=cost_of("tryon", quality),
                from_prompt=cost_of("from_prompt", quality),
                photo_text=cost_of("photo_text", quality),
            ),
            image_sizes=list(sizes_of(quality)),
        )
        for quality in ("standard", "high")
    }
    return Pricing(
        generation_costs=tiers["standard"].costs,
        qualities=Qualities(**tiers),
        image_size_extras=ImageSizeExtras(one_k=0, two_k=settings.cost_2k_extra, four_k=settings.cost_4k_extra),
        advisor_cost=settings.advisor_cost,
        plans=Plans(
            free=PlanInfo(max_in_flight=settings.free_max_in_flight),
            pro=PlanInfo(max_in_flight=settings.pro_max_in_flight),
        ),
        signup_tokens=settings.signup_tokens,
        admin_tokens=settings.admin_tokens,
    )


handler = api_handler(app)
