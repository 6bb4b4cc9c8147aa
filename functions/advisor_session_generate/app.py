from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from imagify.advisor import service
from imagify.models.api import AdvisorGenerateInput, Generation
from imagify.observability import tracer
from imagify.web import IdempotencyKey, api_handler, caller, resolver

app = resolver()


@app.post("/advisor/sessions/<session_id>/generate", responses={202: {"description": "generation started"}})
@tracer.capture_method
def generate(
    session_id: Annotated[UUID, Path()],
    body: Annotated[AdvisorGenerateInput | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[Generation]:
    answer = service.generate(caller(app), session_id, body.mode if body else None, idempotency_key)
    return Response(status_code=answer.status, content_type=content_types.APPLICATION_JSON, body=answer.body)


handler = api_handler(app)
