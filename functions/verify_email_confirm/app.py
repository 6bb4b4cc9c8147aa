from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import verification
from imagify.models.identity import User, UserEnvelope, VerifyEmailConfirmInput
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import UNAVAILABLE, api_handler, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.post(
    "/auth/verify-email/confirm",
    summary="Confirm an email address",
    description="Marks the email verified with the emailed one-time token.",
    tags=["auth"],
    responses=responses(200, "the user, verified", errors={503: UNAVAILABLE}),
)
def confirm(body: Annotated[VerifyEmailConfirmInput, Body()]) -> UserEnvelope:
    return UserEnvelope(user=User.model_validate(verification.confirm_email(body.email, body.token)))


handler = api_handler(app)
