from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify import uploads
from imagify.models.api import UploadInput, UploadTicket
from imagify.observability import tracer
from imagify.web import IdempotencyKey, api_handler, caller, resolver

app = resolver()


@app.post("/uploads", responses={201: {"description": "a presigned POST for one file"}})
@tracer.capture_method
def create_upload(
    body: Annotated[UploadInput, Body()], idempotency_key: IdempotencyKey = None
) -> Response[UploadTicket]:
    answer = uploads.create_ticket(caller(app), body, idempotency_key)
    return Response(status_code=answer.status, content_type=content_types.APPLICATION_JSON, body=answer.body)


handler = api_handler(app)
