from imagify.models.pricing import GenerationCosts, PlanInfo, Plans, Pricing
from imagify.observability import tracer
from imagify.settings import AdvisorCostSettings, CorsSettings, pricing_settings, require
from imagify.web import api_handler, resolver, responses

require(CorsSettings, AdvisorCostSettings)
app = resolver()


@app.get(
    "/pricing",
    summary="What things cost",
    description=(
        "Tokens per generation mode and per piece of advice, the plans' limits, and the tokens a new account gets."
    ),
    tags=["service"],
    responses=responses(200, "the prices"),
)
@tracer.capture_method
def get_pricing() -> Pricing:
    settings = pricing_settings()
    return Pricing(
        generation_costs=GenerationCosts(
            tryon=settings.cost_tryon, from_prompt=settings.cost_from_prompt, photo_text=settings.cost_photo_text
        ),
        advisor_cost=settings.advisor_cost,
        plans=Plans(
            free=PlanInfo(max_in_flight=settings.free_max_in_flight),
            pro=PlanInfo(max_in_flight=settings.pro_max_in_flight),
        ),
        signup_tokens=settings.signup_tokens,
        admin_tokens=settings.admin_tokens,
    )


handler = api_handler(app)
