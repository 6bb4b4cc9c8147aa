from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import verification
from imagify.models.identity import PasswordResetRequestInput
from imagify.settings import CorsSettings, DatabaseSettings, EmailSettings, require
from imagify.web import UNAVAILABLE, api_handler, resolver, responses

require(DatabaseSettings, CorsSettings, EmailSettings)
app = resolver()


@app.post(
    "/auth/password-reset/request",
    summary="Ask for a password reset link",
    description="Emails a one-time link if the account exists; the answer is the same either way.",
    tags=["auth"],
    responses=responses(202, "a link is on its way if the account exists", errors={503: UNAVAILABLE}),
)
def request_reset(body: Annotated[PasswordResetRequestInput, Body()]) -> Response[None]:
    verification.request_password_reset(body.email)
    return Response(status_code=202)


handler = api_handler(app)
