from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.models.webhooks import Webhook, WebhookPatch
from imagify.settings import CorsSettings, DatabaseSettings, WebhookSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses
from imagify.webhooks import endpoints

require(DatabaseSettings, CorsSettings, WebhookSettings)
app = resolver()


@app.patch(
    "/webhooks/<webhook_id>",
    summary="Change a webhook endpoint",
    description="Changes the fields sent: its URL (checked as when registered), its events, whether it is enabled "
    "(enabling one we disabled after days of failures starts its deliveries again), its description.",
    tags=["webhooks"],
    responses=responses(200, "the endpoint, changed", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def patch_webhook(webhook_id: Annotated[UUID, Path()], body: Annotated[WebhookPatch, Body()]) -> Webhook:
    return Webhook.model_validate(endpoints.update(caller(app).user_id, webhook_id, body.changes()))


handler = api_handler(app)
