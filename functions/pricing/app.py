from imagify import pricing
from imagify.models.api import Pricing
from imagify.observability import tracer
from imagify.web import api_handler, resolver

app = resolver()


@app.get("/pricing")
@tracer.capture_method
def get_pricing() -> Pricing:
    return pricing.price_list()


handler = api_handler(app)
