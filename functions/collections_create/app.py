from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify import lifecycle, media
from imagify.models.wardrobe import CollectionInput, CollectionWithCover
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import collections
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
lifecycle.prime(media.load)  # (before a SnapStart snapshot: Pillow, which its requests use)
app = resolver()


@app.post(
    "/wardrobe/collections",
    summary="Create a collection",
    description="A new collection in the caller's wardrobe, optionally with a cover image.",
    tags=["wardrobe"],
    responses=responses(201, "created", errors={503: UNAVAILABLE}),
)
def create_collection(body: Annotated[CollectionInput, Body()]) -> Response[CollectionWithCover]:
    row = collections.create(caller(app).user_id, body.name, body.cover_image_base64)
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=CollectionWithCover.model_validate(row),
    )


handler = api_handler(app)
