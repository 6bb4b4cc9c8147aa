from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.advisor import service
from imagify.observability import tracer
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.delete("/advisor/sessions/<session_id>", responses={204: {"description": "deleted"}})
@tracer.capture_method
def delete_session(session_id: Annotated[UUID, Path()]) -> Response[None]:
    service.delete(caller(app).user_id, session_id)
    return Response(status_code=204)


handler = api_handler(app)
