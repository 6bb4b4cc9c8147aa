from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import auth
from imagify.models.identity import AuthResult, RegisterInput
from imagify.settings import CorsSettings, DatabaseSettings, SignupSettings, TokenSettings, require
from imagify.web import UNAVAILABLE, api_handler, resolver, responses

require(DatabaseSettings, CorsSettings, TokenSettings, SignupSettings)
app = resolver()


@app.post(
    "/auth/register",
    summary="Sign up",
    description=(
        "Creates a user with the sign-up tokens and signs them in. The password is hashed as the frontend verifies it."
    ),
    tags=["auth"],
    responses=responses(
        201,
        "signed up and signed in",
        errors={409: "`email_taken`: an account with this email exists", 503: UNAVAILABLE},
    ),
)
def register(body: Annotated[RegisterInput, Body()]) -> Response[AuthResult]:
    signed_in = auth.register(body.email, body.password, body.name)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=AuthResult.signed_in(signed_in))


handler = api_handler(app)
