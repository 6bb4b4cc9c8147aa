from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.models.api import CollectionPatch, CollectionWithCover
from imagify.observability import tracer
from imagify.wardrobe import collections
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.patch("/wardrobe/collections/<collection_id>")
@tracer.capture_method
def patch_collection(
    collection_id: Annotated[UUID, Path()], body: Annotated[CollectionPatch, Body()]
) -> CollectionWithCover:
    return CollectionWithCover.from_row(collections.update(caller(app).user_id, collection_id, body.changes()))


handler = api_handler(app)
