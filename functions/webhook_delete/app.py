from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses
from imagify.webhooks import endpoints

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.delete(
    "/webhooks/<webhook_id>",
    summary="Delete a webhook endpoint",
    description="Deletes the endpoint and its delivery log; nothing more is sent to it.",
    tags=["webhooks"],
    responses=responses(204, "deleted", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def delete_webhook(webhook_id: Annotated[UUID, Path()]) -> Response[None]:
    endpoints.delete(caller(app).user_id, webhook_id)
    return Response(status_code=204)


handler = api_handler(app)
