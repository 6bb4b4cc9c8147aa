from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.identity import admin
from imagify.models.api import AdminTokenAdjustment, User
from imagify.observability import tracer
from imagify.web import api_handler, require_admin, resolver

app = resolver()


@app.post("/admin/users/<user_id>/tokens")
@tracer.capture_method
def adjust_tokens(user_id: Annotated[UUID, Path()], body: Annotated[AdminTokenAdjustment, Body()]) -> User:
    me = require_admin(app)
    return User.from_row(admin.adjust_tokens(me.user_id, user_id, body.delta, body.note))


handler = api_handler(app, admin_only=True)
