from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.identity import admin
from imagify.models.api import AdminUserPatch, User
from imagify.observability import tracer
from imagify.web import api_handler, require_admin, resolver

app = resolver()


@app.patch("/admin/users/<user_id>")
@tracer.capture_method
def patch_user(user_id: Annotated[UUID, Path()], body: Annotated[AdminUserPatch, Body()]) -> User:
    me = require_admin(app)
    return User.from_row(admin.change_user(me.user_id, user_id, body.changes()))


handler = api_handler(app, admin_only=True)
