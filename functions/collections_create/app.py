from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.models.api import CollectionInput, CollectionWithCover
from imagify.observability import tracer
from imagify.wardrobe import collections
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.post("/wardrobe/collections", responses={201: {"description": "created"}})
@tracer.capture_method
def create_collection(body: Annotated[CollectionInput, Body()]) -> Response[CollectionWithCover]:
    row = collections.create(caller(app).user_id, body.name, body.cover_image_base64)
    return Response(
        status_code=201, content_type=content_types.APPLICATION_JSON, body=CollectionWithCover.from_row(row)
    )


handler = api_handler(app)
