from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.advisor import service
from imagify.models.api import AdvisorSession
from imagify.observability import tracer
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.get("/advisor/sessions/<session_id>")
@tracer.capture_method
def get_session(session_id: Annotated[UUID, Path()]) -> AdvisorSession:
    return AdvisorSession.from_row(service.get(caller(app).user_id, session_id))


handler = api_handler(app)
