from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify import lifecycle, media
from imagify.generations import service
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import IMAGE_RESPONSES, api_handler, caller, image_response, resolver

require(DatabaseSettings, CorsSettings)
lifecycle.prime(media.load)  # (before a SnapStart snapshot: Pillow, which its requests use)
app = resolver()


@app.get(
    "/generations/<generation_id>/image",
    summary="The result image",
    description="The completed generation's image bytes, with an ETag; browsers may keep it.",
    tags=["generations"],
    responses=IMAGE_RESPONSES,
)
# No return annotation on purpose: Powertools would validate the image bytes as a JSON body.
def get_image(generation_id: Annotated[UUID, Path()]):  # type: ignore[no-untyped-def]
    return image_response(app, lambda: service.image(caller(app), generation_id))


handler = api_handler(app)
