from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.models.api import SaveToWardrobeInput, WardrobeItem
from imagify.observability import tracer
from imagify.wardrobe import items
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.post("/generations/<generation_id>/wardrobe", responses={201: {"description": "saved to the wardrobe"}})
@tracer.capture_method
def save_generation(
    generation_id: Annotated[UUID, Path()], body: Annotated[SaveToWardrobeInput, Body()]
) -> Response[WardrobeItem]:
    row = items.save_generation(
        caller(app).user_id,
        generation_id,
        title=body.title,
        description=body.description,
        collection_id=body.collection_id,
        tags=body.tags,
    )
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=WardrobeItem.from_row(row))


handler = api_handler(app)
