from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.models.webhooks import CHANNEL_PATTERN, Delivery
from imagify.settings import CorsSettings, DatabaseSettings, WebhookSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses
from imagify.webhooks import deliveries, endpoints

require(DatabaseSettings, CorsSettings, WebhookSettings)
app = resolver()


@app.post(
    "/webhooks/<webhook_id>/deliveries/<delivery_id>/redeliver",
    summary="Send a delivery again",
    description="Sends a delivery that succeeded or gave up again, with the same `webhook-id` (receivers "
    "de-duplicate by it) and a new day of retries.",
    tags=["webhooks"],
    responses=responses(
        202,
        "the delivery, pending again",
        errors={
            404: NOT_FOUND,
            409: "`conflict`: it is still being attempted, or the endpoint is disabled",
            503: UNAVAILABLE,
        },
    ),
)
def redeliver(
    webhook_id: Annotated[str, Path(pattern=CHANNEL_PATTERN, description="an endpoint's id, or `default`")],
    delivery_id: Annotated[UUID, Path()],
) -> Response[Delivery]:
    row = deliveries.redeliver(caller(app).user_id, endpoints.channel(webhook_id), delivery_id)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=Delivery.model_validate(row))


handler = api_handler(app)
