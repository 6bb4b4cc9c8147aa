from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagify import pricing
from imagify.models.api import Pricing
from imagify.observability import logger, metrics, tracer
from imagify.web import resolver

app = resolver()


@app.get("/pricing")
@tracer.capture_method
def get_pricing() -> Pricing:
    return pricing.price_list()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
