from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagify import health
from imagify.models.api import Health
from imagify.observability import logger, metrics, tracer
from imagify.web import resolver

app = resolver()


@app.get("/health", responses={200: {"description": "healthy"}, 503: {"description": "degraded"}})
@tracer.capture_method
def get_health() -> Response[Health]:
    report = health.check()
    status = 200 if report.status == "ok" else 503
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=report)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
