from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.models.webhooks import WebhookInput, WebhookWithSecret
from imagify.settings import CorsSettings, DatabaseSettings, WebhookSettings, require
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses
from imagify.webhooks import endpoints

require(DatabaseSettings, CorsSettings, WebhookSettings)
app = resolver()


@app.post(
    "/webhooks",
    summary="Register a webhook endpoint",
    description="An https URL that is sent the events named, each signed as the Standard Webhooks specification "
    "says with the endpoint's secret, which this answer shows once. At most 10 endpoints per account.",
    tags=["webhooks"],
    responses=responses(
        201,
        "the endpoint, with its secret",
        errors={409: "`conflict`: the account already has the most endpoints it may have", 503: UNAVAILABLE},
    ),
)
def create_webhook(body: Annotated[WebhookInput, Body()]) -> Response[WebhookWithSecret]:
    row = endpoints.create(caller(app).user_id, body.url, list(body.events), body.description)
    return Response(
        status_code=201, content_type=content_types.APPLICATION_JSON, body=WebhookWithSecret.model_validate(row)
    )


handler = api_handler(app)
