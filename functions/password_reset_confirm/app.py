from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import verification
from imagify.models.identity import PasswordResetConfirmInput
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import UNAVAILABLE, api_handler, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.post(
    "/auth/password-reset/confirm",
    summary="Set a new password",
    description="Sets the password with the emailed one-time token and ends every session of the user.",
    tags=["auth"],
    responses=responses(204, "password changed, sessions ended", errors={503: UNAVAILABLE}),
)
def confirm_reset(body: Annotated[PasswordResetConfirmInput, Body()]) -> Response[None]:
    verification.reset_password(body.email, body.token, body.new_password)
    return Response(status_code=204)


handler = api_handler(app)
