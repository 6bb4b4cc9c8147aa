from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from imagify.advisor import service
from imagify.models.advisor import AdvisorSession
from imagify.models.common import Cursor, Limit, Page
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/advisor/sessions",
    summary="The advice history",
    description="The caller's advisor sessions, newest first; keyset pages.",
    tags=["advisor"],
    responses=responses(200, "a page of advice", errors={503: UNAVAILABLE}),
)
def list_sessions(
    limit: Annotated[Limit, Query()] = 20, cursor: Annotated[Cursor, Query()] = None
) -> Page[AdvisorSession]:
    rows, next_cursor = service.page(caller(app).user_id, limit, cursor)
    return Page[AdvisorSession](items=[AdvisorSession.from_row(r) for r in rows], next_cursor=next_cursor)


handler = api_handler(app)
