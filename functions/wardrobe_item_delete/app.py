from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.observability import tracer
from imagify.wardrobe import items
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.delete("/wardrobe/items/<item_id>", responses={204: {"description": "deleted"}})
@tracer.capture_method
def delete_item(item_id: Annotated[UUID, Path()]) -> Response[None]:
    items.delete(caller(app).user_id, item_id)
    return Response(status_code=204)


handler = api_handler(app)
