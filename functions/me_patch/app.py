from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import profile
from imagify.models.identity import MePatchInput, User
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.patch(
    "/me",
    summary="Change my profile",
    description="Changes the caller's name and/or image URL; `null` clears one.",
    tags=["me"],
    responses=responses(200, "the profile, changed", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def patch_me(body: Annotated[MePatchInput, Body()]) -> User:
    return User.model_validate(profile.update_me(caller(app).user_id, body.changes()))


handler = api_handler(app)
