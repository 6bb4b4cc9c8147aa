from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.models.webhooks import CHANNEL_PATTERN, SigningSecret
from imagify.settings import CorsSettings, DatabaseSettings, WebhookSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses
from imagify.webhooks import endpoints

require(DatabaseSettings, CorsSettings, WebhookSettings)
app = resolver()


@app.post(
    "/webhooks/<webhook_id>/rotate-secret",
    summary="Rotate a webhook secret",
    description="A new signing secret for the endpoint, shown once; the old one keeps signing too (a second "
    "signature in `webhook-signature`) for 24 hours, so a receiver can switch without missing a delivery. "
    "`default` is the account's own secret, which signs deliveries to a generation's one-off `webhookUrl`: "
    "the first call makes it.",
    tags=["webhooks"],
    responses=responses(200, "the new secret", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def rotate_secret(
    webhook_id: Annotated[str, Path(pattern=CHANNEL_PATTERN, description="an endpoint's id, or `default`")],
) -> SigningSecret:
    return SigningSecret.model_validate(endpoints.rotate_secret(caller(app).user_id, endpoints.channel(webhook_id)))


handler = api_handler(app)
