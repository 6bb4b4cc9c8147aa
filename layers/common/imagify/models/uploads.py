"""Uploads: the ticket for one file (``POST /uploads``)."""

from typing import Annotated, Literal

from pydantic import (
    Field,
)

from imagify.models.common import ApiInput, ApiModel, example
from imagify.models.fields import UtcDatetime

UploadPurpose = Literal["user_photo", "item_photo"]
ImageContentType = Literal["image/png", "image/jpeg", "image/webp"]
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class UploadInput(ApiInput):
    model_config = example({"purpose": "user_photo", "contentType": "image/jpeg", "contentLength": 482133})

    purpose: Annotated[UploadPurpose, Field(description="what the photo is for")]
    content_type: ImageContentType
    content_length: Annotated[
        int,
        Field(strict=True, ge=1, le=MAX_UPLOAD_BYTES, description="the file's size in bytes, at most 10 MiB"),
    ]


class UploadTicket(ApiModel):
    upload_url: Annotated[str, Field(description="where to POST the file (a presigned S3 POST)")]
    fields: Annotated[dict[str, str], Field(description="form fields to send with the file, as given")]
    upload_ref: Annotated[str, Field(description="names the uploaded file in later requests")]
    expires_at: Annotated[UtcDatetime, Field(description="when the upload URL stops working")]
