from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from imagify.models.common import Cursor, Limit, Page
from imagify.models.webhooks import CHANNEL_PATTERN, Delivery
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses
from imagify.webhooks import deliveries, endpoints

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/webhooks/<webhook_id>/deliveries",
    summary="A webhook endpoint's delivery log",
    description="Every event sent (or being sent) to the endpoint in the last 30 days, newest first: its "
    "attempts, the receiver's last status, our last error and the next attempt; keyset pages. `default` lists "
    "the deliveries to one-off `webhookUrl`s.",
    tags=["webhooks"],
    responses=responses(200, "a page of deliveries", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def list_deliveries(
    webhook_id: Annotated[str, Path(pattern=CHANNEL_PATTERN, description="an endpoint's id, or `default`")],
    limit: Annotated[Limit, Query()] = 20,
    cursor: Annotated[Cursor, Query()] = None,
) -> Page[Delivery]:
    user_id = caller(app).user_id
    rows, next_cursor = deliveries.page(user_id, endpoints.channel(webhook_id), limit=limit, cursor=cursor)
    return Page[Delivery](items=[Delivery.model_validate(r) for r in rows], next_cursor=next_cursor)


handler = api_handler(app)
