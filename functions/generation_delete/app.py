from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.generations import service
from imagify.settings import CorsSettings, DatabaseSettings, FlowSettings, WebhookSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings, FlowSettings, WebhookSettings)
app = resolver()


@app.delete(
    "/generations/<generation_id>",
    summary="Delete a generation",
    description=(
        "Deletes one of the caller's generations; one still running is cancelled and refunded first. A wardrobe item "
        "saved from it stays."
    ),
    tags=["generations"],
    responses=responses(204, "deleted", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def delete_generation(generation_id: Annotated[UUID, Path()]) -> Response[None]:
    service.delete(caller(app), generation_id)
    return Response(status_code=204)


handler = api_handler(app)
