from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.models.api import WardrobeItem
from imagify.observability import tracer
from imagify.wardrobe import items
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.get("/wardrobe/items/<item_id>")
@tracer.capture_method
def get_item(item_id: Annotated[UUID, Path()]) -> WardrobeItem:
    return WardrobeItem.from_row(items.get(caller(app).user_id, item_id))


handler = api_handler(app)
