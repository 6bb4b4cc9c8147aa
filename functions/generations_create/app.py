from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.generations import service
from imagify.models.api import Generation, GenerationInput
from imagify.observability import tracer
from imagify.web import IdempotencyKey, answer_once, api_handler, caller, resolver

app = resolver()


@app.post("/generations", responses={202: {"description": "accepted; poll GET /generations/{id}"}})
@tracer.capture_method
def create_generation(
    body: Annotated[GenerationInput, Body()], idempotency_key: IdempotencyKey = None
) -> Response[Generation]:
    outcome = service.create(caller(app), service.Request.from_body(body.model_dump(mode="json")), idempotency_key)
    return answer_once(outcome, 202, lambda found: Generation.from_row(found[0], tokens_charged=found[1]))


handler = api_handler(app)
