from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.advisor import service
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.delete(
    "/advisor/sessions/<session_id>",
    summary="Delete a piece of advice",
    description="Deletes one of the caller's advisor sessions.",
    tags=["advisor"],
    responses=responses(204, "deleted", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def delete_session(session_id: Annotated[UUID, Path()]) -> Response[None]:
    service.delete(caller(app).user_id, session_id)
    return Response(status_code=204)


handler = api_handler(app)
