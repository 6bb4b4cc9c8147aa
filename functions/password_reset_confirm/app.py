from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import verification
from imagify.models.api import PasswordResetConfirmInput
from imagify.observability import tracer
from imagify.web import api_handler, resolver

app = resolver()


@app.post("/auth/password-reset/confirm", responses={204: {"description": "password changed, sessions ended"}})
@tracer.capture_method
def confirm_reset(body: Annotated[PasswordResetConfirmInput, Body()]) -> Response[None]:
    verification.reset_password(body.email, body.token, body.new_password)
    return Response(status_code=204)


handler = api_handler(app)
