from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import auth
from imagify.models.api import AccessTokenResult, RefreshInput
from imagify.observability import tracer
from imagify.web import api_handler, resolver

app = resolver()


@app.post("/auth/refresh")
@tracer.capture_method
def refresh(body: Annotated[RefreshInput, Body()]) -> AccessTokenResult:
    access = auth.refresh(body.session_token)
    return AccessTokenResult(access_token=access.token, expires_at=access.expires_at)


handler = api_handler(app)
