from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.models.webhooks import Webhook
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses
from imagify.webhooks import endpoints

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/webhooks/<webhook_id>",
    summary="A webhook endpoint",
    description="One of the caller's webhook endpoints, without its secret.",
    tags=["webhooks"],
    responses=responses(200, "the endpoint", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def get_webhook(webhook_id: Annotated[UUID, Path()]) -> Webhook:
    return Webhook.model_validate(endpoints.get(caller(app).user_id, webhook_id))


handler = api_handler(app)
