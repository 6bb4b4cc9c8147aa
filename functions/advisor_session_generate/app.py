from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.advisor import service
from imagify.generations import service as generations
from imagify.models.api import AdvisorGenerateInput, Generation, GenerationInput
from imagify.observability import tracer
from imagify.web import IdempotencyKey, answer_once, api_handler, caller, resolver

app = resolver()


@app.post("/advisor/sessions/<session_id>/generate", responses={202: {"description": "generation started"}})
@tracer.capture_method
def generate(
    session_id: Annotated[UUID, Path()],
    body: Annotated[AdvisorGenerateInput | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[Generation]:
    who = caller(app)
    fields = service.generation_body(who.user_id, session_id, body.mode if body else None)
    request = GenerationInput.model_validate(fields)  # the checks of POST /generations
    outcome = generations.create(who, generations.Request.from_body(request.model_dump(mode="json")), idempotency_key)
    return answer_once(outcome, 202, lambda found: Generation.from_row(found[0], tokens_charged=found[1]))


handler = api_handler(app)
