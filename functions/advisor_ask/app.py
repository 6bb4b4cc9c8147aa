from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.advisor import service
from imagify.models.api import AdvisorInput, AdvisorSession
from imagify.observability import tracer
from imagify.web import IdempotencyKey, answer_once, api_handler, caller, resolver

app = resolver()


@app.post("/advisor", responses={201: {"description": "the advice, kept in the history"}})
@tracer.capture_method
def ask(body: Annotated[AdvisorInput, Body()], idempotency_key: IdempotencyKey = None) -> Response[AdvisorSession]:
    outcome = service.ask(caller(app), body.message, body.user_photo_url, idempotency_key)
    return answer_once(outcome, 201, AdvisorSession.from_row)


handler = api_handler(app)
