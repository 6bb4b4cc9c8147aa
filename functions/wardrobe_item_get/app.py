from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.models.wardrobe import WardrobeItem
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import items
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/wardrobe/items/<item_id>",
    summary="Read a wardrobe item",
    description="One of the caller's wardrobe items with its image.",
    tags=["wardrobe"],
    responses=responses(200, "the item", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def get_item(item_id: Annotated[UUID, Path()]) -> WardrobeItem:
    return WardrobeItem.model_validate(items.get(caller(app).user_id, item_id))


handler = api_handler(app)
