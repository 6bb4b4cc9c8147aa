from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import collections
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.delete(
    "/wardrobe/collections/<collection_id>",
    summary="Delete a collection",
    description="Deletes one of the caller's collections; its items stay in the wardrobe, out of any collection.",
    tags=["wardrobe"],
    responses=responses(204, "deleted; items kept", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def delete_collection(collection_id: Annotated[UUID, Path()]) -> Response[None]:
    collections.delete(caller(app).user_id, collection_id)
    return Response(status_code=204)


handler = api_handler(app)
