from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import verification
from imagify.models.api import User, UserEnvelope, VerifyEmailConfirmInput
from imagify.observability import tracer
from imagify.web import api_handler, resolver

app = resolver()


@app.post("/auth/verify-email/confirm")
@tracer.capture_method
def confirm(body: Annotated[VerifyEmailConfirmInput, Body()]) -> UserEnvelope:
    return UserEnvelope(user=User.from_row(verification.confirm_email(body.email, body.token)))


handler = api_handler(app)
