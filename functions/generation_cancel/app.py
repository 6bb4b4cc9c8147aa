from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.generations import service
from imagify.models.api import Generation
from imagify.observability import tracer
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.post("/generations/<generation_id>/cancel")
@tracer.capture_method
def cancel_generation(generation_id: Annotated[UUID, Path()]) -> Generation:
    row, charged = service.cancel(caller(app), generation_id)
    return Generation.from_row(row, tokens_charged=charged)


handler = api_handler(app)
