from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.models.wardrobe import SaveToWardrobeInput, WardrobeItem
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import items
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.post(
    "/generations/<generation_id>/wardrobe",
    summary="Save a result to the wardrobe",
    description=(
        "Keeps a completed generation's image as a wardrobe item, optionally titled, tagged and in a collection."
    ),
    tags=["generations"],
    responses=responses(
        201,
        "saved to the wardrobe",
        errors={
            404: "`not_found`: no such generation, or collection, of the caller's",
            409: "`conflict`: only a completed generation can be saved",
            503: UNAVAILABLE,
        },
    ),
)
def save_generation(
    generation_id: Annotated[UUID, Path()], body: Annotated[SaveToWardrobeInput, Body()]
) -> Response[WardrobeItem]:
    row = items.save_generation(
        caller(app).user_id,
        generation_id,
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
