from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Query

from imagify.generations import queries
from imagify.models.common import Cursor, Limit, Page
from imagify.models.generations import GenerationSummary
from imagify.models.rows import GenerationMode, GenerationStatus
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/generations",
    summary="The generations",
    description=(
        "The caller's generations newest first, without their images, filtered by mode, status, whether saved "
        "or batch; "
        "keyset pages."
    ),
    tags=["generations"],
    responses=responses(200, "a page of generations", errors={503: UNAVAILABLE}),
)
def list_generations(
    mode: Annotated[GenerationMode | None, Query()] = None,
    status: Annotated[GenerationStatus | None, Query()] = None,
    saved_to_wardrobe: Annotated[bool | None, Query(alias="savedToWardrobe")] = None,
    batch_id: Annotated[UUID | None, Query(alias="batchId", description="only the looks of this batch")] = None,
    limit: Annotated[Limit, Query()] = 20,
    cursor: Annotated[Cursor, Query()] = None,
) -> Page[GenerationSummary]:
    rows, next_cursor = queries.page(
        caller(app).user_id,
        mode=mode,
        status=status,
        saved=saved_to_wardrobe,
        batch_id=batch_id,
        limit=limit,
        cursor=cursor,
    )
    items = [GenerationSummary.from_row(row, extras) for row, extras in rows]
    return Page[GenerationSummary](items=items, next_cursor=next_cursor)


handler = api_handler(app)
