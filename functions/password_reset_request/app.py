from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import verification
from imagify.models.api import PasswordResetRequestInput
from imagify.observability import tracer
from imagify.web import api_handler, resolver

app = resolver()


@app.post(
    "/auth/password-reset/request", responses={202: {"description": "a link is on its way if the account exists"}}
)
@tracer.capture_method
def request_reset(body: Annotated[PasswordResetRequestInput, Body()]) -> Response[None]:
    verification.request_password_reset(body.email)
    return Response(status_code=202)


handler = api_handler(app)
