from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from imagify.models.common import Cursor, Limit, Page
from imagify.models.webhooks import Webhook
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses
from imagify.webhooks import endpoints

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/webhooks",
    summary="The webhook endpoints",
    description="The caller's webhook endpoints, newest first, without their secrets; keyset pages.",
    tags=["webhooks"],
    responses=responses(200, "a page of endpoints", errors={503: UNAVAILABLE}),
)
def list_webhooks(limit: Annotated[Limit, Query()] = 20, cursor: Annotated[Cursor, Query()] = None) -> Page[Webhook]:
    rows, next_cursor = endpoints.page(caller(app).user_id, limit=limit, cursor=cursor)
    return Page[Webhook](items=[Webhook.model_validate(r) for r in rows], next_cursor=next_cursor)


handler = api_handler(app)
