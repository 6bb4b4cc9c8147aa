from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import profile
from imagify.models.api import MeDeleteInput
from imagify.observability import tracer
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.delete("/me", responses={204: {"description": "the account and everything of it is gone"}})
@tracer.capture_method
def delete_me(body: Annotated[MeDeleteInput | None, Body()] = None) -> Response[None]:
    profile.delete_me(caller(app).user_id, body.password if body else None)
    return Response(status_code=204)


handler = api_handler(app)
