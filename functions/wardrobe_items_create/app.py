from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify import lifecycle, media
from imagify.models.wardrobe import WardrobeItem, WardrobeItemInput
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import items
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
lifecycle.prime(media.load)  # (before a SnapStart snapshot: Pillow, which its requests use)
app = resolver()


@app.post(
    "/wardrobe/items",
    summary="Add an image to the wardrobe",
    description="Keeps an image the caller sends (a base64 data URI) as a wardrobe item.",
    tags=["wardrobe"],
    responses=responses(
        201, "kept in the wardrobe", errors={404: "`not_found`: no such collection of the caller's", 503: UNAVAILABLE}
    ),
)
def create_item(body: Annotated[WardrobeItemInput, Body()]) -> Response[WardrobeItem]:
    row = items.create(
        caller(app).user_id,
        image_base64=body.image_base64,
        title=body.title,
        description=body.description,
        collection_id=body.collection_id,
        tags=body.tags,
    )
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=WardrobeItem.model_validate(row),
    )


handler = api_handler(app)
