from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Query

from imagify.models.common import Cursor, Limit, Page
from imagify.models.wardrobe import WardrobeItemSummary
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import items
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/wardrobe/items",
    summary="The wardrobe",
    description=(
        "The caller's wardrobe items newest first, without their images, filtered by collection or tag (any case); "
        "keyset pages."
    ),
    tags=["wardrobe"],
    responses=responses(200, "a page of items", errors={503: UNAVAILABLE}),
)
def list_items(
    collection_id: Annotated[UUID | None, Query(alias="collectionId")] = None,
    tag: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    limit: Annotated[Limit, Query()] = 20,
    cursor: Annotated[Cursor, Query()] = None,
) -> Page[WardrobeItemSummary]:
    rows, next_cursor = items.page(
        caller(app).user_id, collection_id=collection_id, tag=tag, limit=limit, cursor=cursor
    )
    return Page[WardrobeItemSummary](
        items=[WardrobeItemSummary.model_validate(r) for r in rows], next_cursor=next_cursor
    )


handler = api_handler(app)
