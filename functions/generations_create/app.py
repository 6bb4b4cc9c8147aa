from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.generations import service
from imagify.models.api import Generation, GenerationInput
from imagify.observability import tracer
from imagify.web import IdempotencyKey, api_handler, caller, resolver

app = resolver()


@app.post("/generations", responses={202: {"description": "accepted; poll GET /generations/{id}"}})
@tracer.capture_method
def create_generation(
    body: Annotated[GenerationInput, Body()], idempotency_key: IdempotencyKey = None
) -> Response[Generation]:
    answer = service.create(caller(app), body, idempotency_key)
    return Response(status_code=answer.status, content_type=content_types.APPLICATION_JSON, body=answer.body)


handler = api_handler(app)
