from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify import uploads
from imagify.models.api import UploadInput, UploadTicket
from imagify.observability import tracer
from imagify.web import IdempotencyKey, answer_once, api_handler, caller, resolver

app = resolver()


@app.post("/uploads", responses={201: {"description": "a presigned POST for one file"}})
@tracer.capture_method
def create_upload(
    body: Annotated[UploadInput, Body()], idempotency_key: IdempotencyKey = None
) -> Response[UploadTicket]:
    outcome = uploads.create_ticket(caller(app), body.purpose, body.content_type, body.content_length, idempotency_key)
    return answer_once(
        outcome,
        201,
        lambda ticket: UploadTicket(
            upload_url=ticket.url, fields=ticket.fields, upload_ref=ticket.ref, expires_at=ticket.expires_at
        ),
    )


handler = api_handler(app)
