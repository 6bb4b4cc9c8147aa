from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import auth
from imagify.models.api import AuthResult, RegisterInput
from imagify.observability import tracer
from imagify.web import api_handler, resolver

app = resolver()


@app.post("/auth/register", responses={201: {"description": "signed up and signed in"}})
@tracer.capture_method
def register(body: Annotated[RegisterInput, Body()]) -> Response[AuthResult]:
    signed_in = auth.register(body.email, body.password, body.name)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=AuthResult.signed_in(signed_in))


handler = api_handler(app)
