from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.models.api import CollectionWithCover
from imagify.observability import tracer
from imagify.wardrobe import collections
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.get("/wardrobe/collections/<collection_id>")
@tracer.capture_method
def get_collection(collection_id: Annotated[UUID, Path()]) -> CollectionWithCover:
    return CollectionWithCover.from_row(collections.get(caller(app).user_id, collection_id))


handler = api_handler(app)
