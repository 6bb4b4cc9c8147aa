from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.identity import admin
from imagify.models.admin import AdminTokenAdjustment
from imagify.models.identity import User
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, require_admin, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.post(
    "/admin/users/<user_id>/tokens",
    summary="Grant or take a user's tokens",
    description=(
        "Adds `delta` tokens (negative takes them), recorded in the user's ledger with the note; a balance may not go"
        " below zero or above the cap. Admins only."
    ),
    tags=["admin"],
    responses=responses(
        200,
        "the user, with the new balance",
        errors={
            403: "`forbidden`: the caller is not an admin",
            404: NOT_FOUND,
            409: "`conflict`: the balance would go below zero or above the cap",
            503: UNAVAILABLE,
        },
    ),
)
def adjust_tokens(user_id: Annotated[UUID, Path()], body: Annotated[AdminTokenAdjustment, Body()]) -> User:
    me = require_admin(app)
    return User.model_validate(admin.adjust_tokens(me.user_id, user_id, body.delta, body.note))


handler = api_handler(app, admin_only=True)
