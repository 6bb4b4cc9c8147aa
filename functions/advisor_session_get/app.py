from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.advisor import service
from imagify.models.advisor import AdvisorSession
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/advisor/sessions/<session_id>",
    summary="Read a piece of advice",
    description="One of the caller's advisor sessions: the question, the advice and its generation prompt.",
    tags=["advisor"],
    responses=responses(200, "the advice", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def get_session(session_id: Annotated[UUID, Path()]) -> AdvisorSession:
    return AdvisorSession.from_row(service.get(caller(app).user_id, session_id))


handler = api_handler(app)
