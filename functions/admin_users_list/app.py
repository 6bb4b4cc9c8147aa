from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from imagify.identity import admin
from imagify.models.common import Cursor, Limit, Page
from imagify.models.identity import User
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import UNAVAILABLE, api_handler, require_admin, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/admin/users",
    summary="Find users",
    description="Users newest first, optionally those whose email or name contains `q`; keyset pages. Admins only.",
    tags=["admin"],
    responses=responses(
        200, "a page of users", errors={403: "`forbidden`: the caller is not an admin", 503: UNAVAILABLE}
    ),
)
def search_users(
    q: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[Limit, Query()] = 20,
    cursor: Annotated[Cursor, Query()] = None,
) -> Page[User]:
    require_admin(app)
    found, next_cursor = admin.search_users(q.strip() if q else None, limit, cursor)
    return Page[User](items=[User.model_validate(u) for u in found], next_cursor=next_cursor)


handler = api_handler(app, admin_only=True)
