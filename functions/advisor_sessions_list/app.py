from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from imagify.advisor import service
from imagify.models.api import AdvisorSession
from imagify.models.common import Cursor, Limit, Page
from imagify.observability import tracer
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.get("/advisor/sessions")
@tracer.capture_method
def list_sessions(
    limit: Annotated[Limit, Query()] = 20, cursor: Annotated[Cursor, Query()] = None
) -> Page[AdvisorSession]:
    rows, next_cursor = service.page(caller(app).user_id, limit, cursor)
    return Page[AdvisorSession](items=[AdvisorSession.from_row(r) for r in rows], next_cursor=next_cursor)


handler = api_handler(app)
