from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.models.wardrobe import CollectionWithCover
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import collections
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/wardrobe/collections/<collection_id>",
    summary="Read a collection",
    description="One of the caller's collections, with its cover image and item count.",
    tags=["wardrobe"],
    responses=responses(200, "the collection", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def get_collection(collection_id: Annotated[UUID, Path()]) -> CollectionWithCover:
    return CollectionWithCover.model_validate(collections.get(caller(app).user_id, collection_id))


handler = api_handler(app)
