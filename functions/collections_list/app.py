from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from imagify.models.common import Cursor, Limit, Page
from imagify.models.rows import WardrobeCollectionRow
from imagify.models.wardrobe import Collection, CollectionWithCover
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.wardrobe import collections
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/wardrobe/collections",
    summary="The collections",
    description="The caller's collections, newest first, with their cover images only when asked for; keyset pages.",
    tags=["wardrobe"],
    responses=responses(200, "a page of collections", errors={503: UNAVAILABLE}),
)
def list_collections(
    include: Annotated[Literal["cover"] | None, Query(description="`cover` adds each cover image")] = None,
    limit: Annotated[Limit, Query()] = 20,
    cursor: Annotated[Cursor, Query()] = None,
) -> Page[CollectionWithCover] | Page[Collection]:
    with_cover = include == "cover"
    rows, next_cursor = collections.page(caller(app).user_id, with_cover=with_cover, limit=limit, cursor=cursor)
    if with_cover:
        covered = [CollectionWithCover.model_validate(r) for r in rows if isinstance(r, WardrobeCollectionRow)]
        return Page[CollectionWithCover](items=covered, next_cursor=next_cursor)
    return Page[Collection](items=[Collection.model_validate(r) for r in rows], next_cursor=next_cursor)


handler = api_handler(app)
