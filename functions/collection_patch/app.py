from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify import lifecycle, media
from imagify.models.wardrobe import CollectionPatch, CollectionWithCover
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import collections
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
lifecycle.prime(media.load)  # (before a SnapStart snapshot: Pillow, which its requests use)
app = resolver()


@app.patch(
    "/wardrobe/collections/<collection_id>",
    summary="Rename a collection or change its cover",
    description="Changes the fields sent; `coverImageBase64: null` removes the cover.",
    tags=["wardrobe"],
    responses=responses(200, "the collection, changed", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def patch_collection(
    collection_id: Annotated[UUID, Path()], body: Annotated[CollectionPatch, Body()]
) -> CollectionWithCover:
    return CollectionWithCover.model_validate(collections.update(caller(app).user_id, collection_id, body.changes()))


handler = api_handler(app)
