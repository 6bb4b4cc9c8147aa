from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.models.api import WardrobeItem, WardrobeItemPatch
from imagify.observability import tracer
from imagify.wardrobe import items
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.patch("/wardrobe/items/<item_id>")
@tracer.capture_method
def patch_item(item_id: Annotated[UUID, Path()], body: Annotated[WardrobeItemPatch, Body()]) -> WardrobeItem:
    return WardrobeItem.from_row(items.update(caller(app).user_id, item_id, body.changes()))


handler = api_handler(app)
