"""Short-lived uploads: a presigned S3 POST per file, and the checks made when an upload is read.

S3 enforces the POST policy (key, type, size) in AWS; moto does not, so ``read`` checks everything
again: the caller's prefix, the size, and that the bytes are the declared kind of image.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from imagify import db, idempotency, images, storage
from imagify.clock import utcnow
from imagify.errors import InvalidInput, PayloadTooLarge
from imagify.idempotency import Answer
from imagify.identity.principal import Principal
from imagify.models.api import UploadInput, UploadTicket
from imagify.settings import storage_settings

REF_PREFIX = "upload:"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


@dataclass(frozen=True)
class Ticket:
    url: str
    fields: dict[str, str]
    ref: str
    expires_at: datetime


def create(user_id: UUID, purpose: str, content_type: str, content_length: int, *, s3: Any | None = None) -> Ticket:
    settings = storage_settings()
    key = f"{storage.user_prefix(user_id)}{purpose}/{uuid.uuid4()}.{_EXTENSIONS[content_type]}"
    post = (s3 or storage.s3_client()).generate_presigned_post(
        Bucket=settings.uploads_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", content_length, content_length],
        ],
        ExpiresIn=settings.upload_post_ttl_s,
    )
    return Ticket(
        url=post["url"],
        fields={k: str(v) for k, v in post["fields"].items()},
        ref=REF_PREFIX + key,
        expires_at=utcnow() + timedelta(seconds=settings.upload_post_ttl_s),
    )


def is_ref(value: str) -> bool:
    return value.startswith(REF_PREFIX)


def read(user_id: UUID, ref: str, *, field: str, s3: Any | None = None) -> images.Image:
    """The bytes of the caller's own upload; a foreign or missing one reads as missing (never revealed)."""
    key = ref.removeprefix(REF_PREFIX)
    missing = InvalidInput(f"{field}: no such upload (it may have expired)", details=[{"loc": ["body", field]}])
    if not key.startswith(storage.user_prefix(user_id)) or ".." in key:
        raise missing
    client = s3 or storage.s3_client()
    bucket = storage_settings().uploads_bucket
    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except client.exceptions.ClientError as error:
        raise missing from error
    if head["ContentLength"] > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"{field}: the upload is larger than 10 MB")
    declared = str(head.get("ContentType", "")).lower()
    if declared not in images.ALLOWED_MIME:
        raise InvalidInput(f"{field}: the upload is not a PNG, JPEG or WebP image")
    data = client.get_object(Bucket=bucket, Key=key)["Body"].read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"{field}: the upload is larger than 10 MB")
    return images.Image(data=data, mime=images.verified_mime(data, declared, field=field))


OPERATION = "uploads.create"


def create_ticket(
    caller: Principal, request: UploadInput, idempotency_key: str | None = None, *, s3: Any | None = None
) -> Answer:
    """``POST /uploads``: a ticket for one file; a retry with the same key gets the same ticket."""
    request_hash = idempotency.request_hash(request.model_dump(mode="json"))
    if idempotency_key:
        with db.transaction() as conn:
            earlier = idempotency.claim(conn, caller.user_id, OPERATION, idempotency_key, request_hash)
        if earlier is not None and earlier.status is not None:
            return Answer(earlier.status, earlier.body)
    ticket = create(caller.user_id, request.purpose, request.content_type, request.content_length, s3=s3)
    body = UploadTicket(
        upload_url=ticket.url, fields=ticket.fields, upload_ref=ticket.ref, expires_at=ticket.expires_at
    ).model_dump(mode="json", by_alias=True)
    if idempotency_key:
        idempotency.remember(caller.user_id, OPERATION, idempotency_key, 201, body)
    return Answer(201, body)
