from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify import lifecycle, media
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import items
from imagify.web import IMAGE_RESPONSES, api_handler, caller, image_response, resolver

require(DatabaseSettings, CorsSettings)
lifecycle.prime(media.load)  # (before a SnapStart snapshot: Pillow, which its requests use)
app = resolver()


@app.get(
    "/wardrobe/items/<item_id>/image",
    summary="A wardrobe item's image",
    description="The item's image bytes, with an ETag; browsers may keep it.",
    tags=["wardrobe"],
    responses=IMAGE_RESPONSES,
)
# No return annotation on purpose: Powertools would validate the image bytes as a JSON body.
def get_image(item_id: Annotated[UUID, Path()]):  # type: ignore[no-untyped-def]
    return image_response(app, lambda: media.servable(items.get(caller(app).user_id, item_id).image_base64))


handler = api_handler(app)
