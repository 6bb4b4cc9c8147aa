from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.observability import tracer
from imagify.wardrobe import collections
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.delete("/wardrobe/collections/<collection_id>", responses={204: {"description": "deleted; items kept"}})
@tracer.capture_method
def delete_collection(collection_id: Annotated[UUID, Path()]) -> Response[None]:
    collections.delete(caller(app).user_id, collection_id)
    return Response(status_code=204)


handler = api_handler(app)
