from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import auth
from imagify.models.api import AuthResult, LoginInput
from imagify.observability import tracer
from imagify.web import api_handler, resolver

app = resolver()


@app.post("/auth/login")
@tracer.capture_method
def login(body: Annotated[LoginInput, Body()]) -> AuthResult:
    return AuthResult.signed_in(auth.login(body.email, body.password))


handler = api_handler(app)
