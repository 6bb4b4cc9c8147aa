from aws_lambda_powertools.event_handler import Response, content_types

from imagify import health
from imagify.models.api import Health
from imagify.observability import tracer
from imagify.web import api_handler, resolver

app = resolver()


@app.get("/health", responses={200: {"description": "healthy"}, 503: {"description": "degraded"}})
@tracer.capture_method
def get_health() -> Response[Health]:
    report = health.check()
    status = 200 if report.status == "ok" else 503
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=report)


handler = api_handler(app)
