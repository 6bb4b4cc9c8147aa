from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.models.wardrobe import WardrobeItem, WardrobeItemPatch
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import items
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.patch(
    "/wardrobe/items/<item_id>",
    summary="Change a wardrobe item",
    description="Changes its title, description, tags or collection; `null` clears one (not the tags: send `[]`).",
    tags=["wardrobe"],
    responses=responses(
        200,
        "the item, changed",
        errors={404: "`not_found`: no such item, or collection, of the caller's", 503: UNAVAILABLE},
    ),
)
def patch_item(item_id: Annotated[UUID, Path()], body: Annotated[WardrobeItemPatch, Body()]) -> WardrobeItem:
    return WardrobeItem.model_validate(items.update(caller(app).user_id, item_id, body.changes()))


handler = api_handler(app)
