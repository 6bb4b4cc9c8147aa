from aws_lambda_powertools.event_handler import Response, content_types

from imagify import health
from imagify.models.health import Health, MigrationCounts
from imagify.settings import CorsSettings, DatabaseSettings, app_settings, require
from imagify.web import api_handler, resolver

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/health",
    summary="Is the service up",
    description="`ok` when the database answers and every migration is applied; `degraded` (503) otherwise.",
    tags=["service"],
    responses={200: {"description": "healthy"}, 503: {"description": "degraded"}},
)
def get_health() -> Response[Health]:
    report = health.check()
    migrations = report.migrations
    body = Health(
        status="ok" if report.healthy else "degraded",
        database="unreachable" if migrations is None else "ok",
        migrations=None
        if migrations is None
        else MigrationCounts(applied=len(migrations.applied), pending=len(migrations.pending)),
        version=app_settings().app_version,
    )
    return Response(status_code=200 if report.healthy else 503, content_type=content_types.APPLICATION_JSON, body=body)


handler = api_handler(app)
