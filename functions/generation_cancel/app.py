from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.generations import service
from imagify.models.generations import Generation
from imagify.settings import CorsSettings, DatabaseSettings, FlowSettings, WebhookSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings, FlowSettings, WebhookSettings)
app = resolver()


@app.post(
    "/generations/<generation_id>/cancel",
    summary="Cancel a generation",
    description="Stops a pending or processing generation: it fails as cancelled and its tokens are refunded, once.",
    tags=["generations"],
    responses=responses(
        200,
        "the generation, failed as cancelled",
        errors={404: NOT_FOUND, 409: "`conflict`: the generation has already finished", 503: UNAVAILABLE},
    ),
)
def cancel_generation(generation_id: Annotated[UUID, Path()]) -> Generation:
    return Generation.from_row(*service.cancel(caller(app), generation_id))


handler = api_handler(app)
