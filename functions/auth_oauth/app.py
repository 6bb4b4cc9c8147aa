from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.identity import oidc
from imagify.models.api import AuthResult, OAuthInput
from imagify.observability import tracer
from imagify.web import api_handler, resolver

app = resolver()


@app.post("/auth/oauth/<provider>")
@tracer.capture_method
def sign_in(
    provider: Annotated[str, Path(pattern=r"^[a-z0-9_-]{1,50}$")], body: Annotated[OAuthInput, Body()]
) -> AuthResult:
    return AuthResult.signed_in(oidc.sign_in_with(provider, body.id_token))


handler = api_handler(app)
