from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.identity import admin
from imagify.models.admin import AdminUserPatch
from imagify.models.identity import User
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, require_admin, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.patch(
    "/admin/users/<user_id>",
    summary="Change a user's role or plan",
    description="Sets a user's `role` and/or `plan`. Admins only.",
    tags=["admin"],
    responses=responses(
        200,
        "the user, changed",
        errors={403: "`forbidden`: the caller is not an admin", 404: NOT_FOUND, 503: UNAVAILABLE},
    ),
)
def patch_user(user_id: Annotated[UUID, Path()], body: Annotated[AdminUserPatch, Body()]) -> User:
    me = require_admin(app)
    return User.model_validate(admin.change_user(me.user_id, user_id, body.changes()))


handler = api_handler(app, admin_only=True)
