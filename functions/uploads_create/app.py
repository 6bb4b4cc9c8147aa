from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify import uploads
from imagify.models.uploads import UploadInput, UploadTicket
from imagify.settings import CorsSettings, DatabaseSettings, StorageSettings, require
from imagify.web import (
    KEY_IN_FLIGHT,
    UNAVAILABLE,
    IdempotencyKey,
    answer_once,
    api_handler,
    caller,
    resolver,
    responses,
)

require(DatabaseSettings, CorsSettings, StorageSettings)
app = resolver()


@app.post(
    "/uploads",
    summary="Upload a photo",
    description=(
        "A presigned S3 POST for one image (PNG, JPEG or WebP, at most 10 MB) that lives an hour; its `uploadRef` "
        "goes where a photo URL goes. Takes an `Idempotency-Key`."
    ),
    tags=["uploads"],
    responses=responses(
        201,
        "a presigned POST for one file",
        errors={
            409: KEY_IN_FLIGHT,
            503: UNAVAILABLE,
        },
    ),
)
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
