from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import items
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.delete(
    "/wardrobe/items/<item_id>",
    summary="Delete a wardrobe item",
    description="Deletes one of the caller's wardrobe items.",
    tags=["wardrobe"],
    responses=responses(204, "deleted", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def delete_item(item_id: Annotated[UUID, Path()]) -> Response[None]:
    items.delete(caller(app).user_id, item_id)
    return Response(status_code=204)


handler = api_handler(app)
