from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.models.api import WardrobeItem, WardrobeItemInput
from imagify.observability import tracer
from imagify.wardrobe import items
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.post("/wardrobe/items", responses={201: {"description": "kept in the wardrobe"}})
@tracer.capture_method
def create_item(body: Annotated[WardrobeItemInput, Body()]) -> Response[WardrobeItem]:
    row = items.create(
        caller(app).user_id,
        image_base64=body.image_base64,
        title=body.title,
        description=body.description,
        collection_id=body.collection_id,
        tags=body.tags,
    )
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=WardrobeItem.from_row(row))


handler = api_handler(app)
