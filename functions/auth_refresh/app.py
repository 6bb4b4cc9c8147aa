from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import auth
from imagify.models.identity import AccessTokenResult, RefreshInput
from imagify.settings import CorsSettings, DatabaseSettings, TokenSettings, require
from imagify.web import UNAVAILABLE, api_handler, resolver, responses

require(DatabaseSettings, CorsSettings, TokenSettings)
app = resolver()


@app.post(
    "/auth/refresh",
    summary="A new access token",
    description="Trades a live session token for a new short-lived access token.",
    tags=["auth"],
    responses=responses(200, "a new access token", errors={503: UNAVAILABLE}),
)
def refresh(body: Annotated[RefreshInput, Body()]) -> AccessTokenResult:
    access = auth.refresh(body.session_token)
    return AccessTokenResult(access_token=access.token, expires_at=access.expires_at)


handler = api_handler(app)
