from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import profile
from imagify.models.api import MePatchInput, User
from imagify.observability import tracer
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.patch("/me")
@tracer.capture_method
def patch_me(body: Annotated[MePatchInput, Body()]) -> User:
    return User.from_row(profile.update_me(caller(app).user_id, body.changes()))


handler = api_handler(app)
