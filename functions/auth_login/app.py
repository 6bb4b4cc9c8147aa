from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import auth
from imagify.models.identity import AuthResult, LoginInput
from imagify.settings import CorsSettings, DatabaseSettings, TokenSettings, require
from imagify.web import UNAVAILABLE, api_handler, resolver, responses

require(DatabaseSettings, CorsSettings, TokenSettings)
app = resolver()


@app.post(
    "/auth/login",
    summary="Sign in with a password",
    description=(
        "Checks the email and password (bcrypt or Argon2id hashes, the frontend's included) and answers an access "
        "token, a session token and the user. Repeated failures for an email are refused for a while."
    ),
    tags=["auth"],
    responses=responses(
        200,
        "signed in",
        errors={
            429: "`rate_limited`: too many failed sign-ins for this email; retry after `Retry-After`",
            503: UNAVAILABLE,
        },
    ),
)
def login(body: Annotated[LoginInput, Body()]) -> AuthResult:
    return AuthResult.signed_in(auth.login(body.email, body.password))


handler = api_handler(app)
