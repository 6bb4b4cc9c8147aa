from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.generations import service
from imagify.observability import tracer
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.delete("/generations/<generation_id>", responses={204: {"description": "deleted"}})
@tracer.capture_method
def delete_generation(generation_id: Annotated[UUID, Path()]) -> Response[None]:
    service.delete(caller(app), generation_id)
    return Response(status_code=204)


handler = api_handler(app)
