from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from imagify.identity import admin
from imagify.models.api import User
from imagify.models.common import Cursor, Limit, Page
from imagify.observability import tracer
from imagify.web import api_handler, require_admin, resolver

app = resolver()


@app.get("/admin/users")
@tracer.capture_method
def search_users(
    q: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[Limit, Query()] = 20,
    cursor: Annotated[Cursor, Query()] = None,
) -> Page[User]:
    require_admin(app)
    found, next_cursor = admin.search_users(q.strip() if q else None, limit, cursor)
    return Page[User](items=[User.from_row(u) for u in found], next_cursor=next_cursor)


handler = api_handler(app, admin_only=True)
