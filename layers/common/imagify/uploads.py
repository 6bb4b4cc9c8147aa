"""Short-lived uploads: a presigned S3 POST per file, the checks made when an upload is read, and the
presigned GET URL a row keeps so that the frontend can show the photo while the upload lives.

S3 enforces the POST policy (key, type, size) in AWS; moto does not, so ``read`` checks everything
again: the caller's prefix, the size, and that the bytes are the declared kind of image.

An upload is named by its ``uploadRef`` (``upload:<key>``) or by a GET URL this service presigned for it. Such
a URL is never fetched: its key is taken back from it only when it addresses the uploads bucket under the
caller's own prefix, and the object is read through S3's API like any upload.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

from imagify import clients, db, idempotency, media, storage
from imagify.clock import utcnow
from imagify.errors import InvalidInput, PayloadTooLarge
from imagify.identity.principal import Principal
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
    post = (s3 or clients.s3()).generate_presigned_post(
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


# SigV4 signs for at most seven days.
MAX_PRESIGN_S = 7 * 24 * 3600
# The hosts at which AWS serves a bucket: virtual-hosted (<bucket>.s3[.-]<region>.amazonaws.com) and path-style.
_AWS_VIRTUAL_HOST = re.compile(r"^(?P<bucket>[a-z0-9.-]+)\.s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com$")
_AWS_PATH_HOST = re.compile(r"^s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com$")


def is_url(value: str) -> bool:
    return value[:8].lower() == "https://" or value[:7].lower() == "http://"


def _key_in_url(url: str, bucket: str, endpoint: str | None) -> str | None:
    """The object key a URL addresses in ``bucket``, or None when it addresses anything else."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    path = parts.path
    own = urlsplit(endpoint) if endpoint else None
    if own is not None and (parts.scheme, parts.netloc.lower()) == (own.scheme, own.netloc.lower()):
        # The client's own endpoint (a local S3), path-style.
        prefix = f"{own.path.rstrip('/')}/{bucket}/"
    elif own is not None and (parts.scheme, parts.netloc.lower()) == (own.scheme, f"{bucket}.{own.netloc.lower()}"):
        prefix = f"{own.path.rstrip('/')}/"  # the client's own endpoint, virtual-hosted
    elif parts.scheme != "https" or port not in (None, 443) or parts.username or parts.password:
        return None
    elif (found := _AWS_VIRTUAL_HOST.match(host)) is not None and found.group("bucket") == bucket:
        prefix = "/"
    elif _AWS_PATH_HOST.match(host):
        prefix = f"/{bucket}/"
    else:
        return None
    if not path.startswith(prefix):
        return None
    return unquote(path[len(prefix) :])


def _named_key(value: str, s3: Any | None) -> str | None:
    if is_ref(value):
        return value.removeprefix(REF_PREFIX)
    if is_url(value):
        client = s3 or clients.s3()
        return _key_in_url(value, storage_settings().uploads_bucket, client.meta.endpoint_url)
    return None


def names_an_upload(value: str, *, s3: Any | None = None) -> bool:
    """Whether a photo value is an uploadRef or a URL into the uploads bucket (whoever's; nothing is fetched)."""
    return _named_key(value, s3) is not None


def key_of(user_id: UUID, value: str, *, s3: Any | None = None) -> str | None:
    """The key of the caller's own upload that ``value`` names (an uploadRef, or a URL this service presigned
    for one), or None when it names no upload of theirs. Nothing is fetched."""
    key = _named_key(value, s3)
    if key is None or not key.startswith(storage.user_prefix(user_id)) or ".." in key:
        return None
    return key


@dataclass(frozen=True)
class Upload:
    key: str
    image: media.Image
    # When the cleanup may delete it: its upload time plus UPLOAD_TTL_S.
    expires_at: datetime


def _head(user_id: UUID, value: str, field: str, client: Any) -> tuple[str, dict[str, Any]]:
    """The key and metadata of the caller's own upload; a foreign, missing or unnamed one reads as missing."""
    missing = InvalidInput(f"{field}: no such upload (it may have expired)", details=[{"loc": ["body", field]}])
    key = key_of(user_id, value, s3=client)
    if key is None:
        raise missing
    try:
        return key, client.head_object(Bucket=storage_settings().uploads_bucket, Key=key)
    except client.exceptions.ClientError as error:
        raise missing from error


def _expiry(head: dict[str, Any]) -> datetime:
    """When the cleanup may delete an upload: its upload time plus UPLOAD_TTL_S."""
    uploaded: datetime = head["LastModified"]
    return uploaded.replace(tzinfo=None) + timedelta(seconds=storage_settings().upload_ttl_s)


def expires_at(user_id: UUID, value: str, *, field: str, s3: Any | None = None) -> datetime:
    """When the caller's own upload expires, from its metadata alone (nothing is downloaded); ``InvalidInput``
    when it is not there."""
    return _expiry(_head(user_id, value, field, s3 or clients.s3())[1])


def fetch(user_id: UUID, value: str, *, field: str, s3: Any | None = None) -> Upload:
    """The caller's own upload, checked; a foreign, missing or unnamed one reads as missing (never revealed)."""
    client = s3 or clients.s3()
    key, head = _head(user_id, value, field, client)
    if head["ContentLength"] > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"{field}: the upload is larger than 10 MB")
    declared = str(head.get("ContentType", "")).lower()
    if declared not in media.ALLOWED_MIME:
        raise InvalidInput(f"{field}: the upload is not a PNG, JPEG or WebP image")
    data = client.get_object(Bucket=storage_settings().uploads_bucket, Key=key)["Body"].read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"{field}: the upload is larger than 10 MB")
    image = media.Image(data=data, mime=media.verified_mime(data, declared, field=field))
    return Upload(key=key, image=image, expires_at=_expiry(head))


def read(user_id: UUID, value: str, *, field: str, s3: Any | None = None) -> media.Image:
    """The bytes of the caller's own upload, named by its uploadRef or by its presigned URL."""
    return fetch(user_id, value, field=field, s3=s3).image


def presigned_get(upload: Upload, *, s3: Any | None = None) -> str:
    """A GET URL of the upload that works as long as the upload lives (its remaining lifetime, at least a
    second, at most SigV4's seven days). Signed with the function's role, it also stops working when that
    role session's credentials expire, which can be sooner (see the README)."""
    remaining = int((upload.expires_at - utcnow()).total_seconds())
    url: str = (s3 or clients.s3_presigner()).generate_presigned_url(
        "get_object",
        Params={"Bucket": storage_settings().uploads_bucket, "Key": upload.key},
        ExpiresIn=max(1, min(remaining, MAX_PRESIGN_S)),
    )
    return url


OPERATION = "uploads.create"


def create_ticket(
    caller: Principal,
    purpose: str,
    content_type: str,
    content_length: int,
    idempotency_key: str | None = None,
    *,
    s3: Any | None = None,
) -> idempotency.Done[Ticket] | idempotency.Replay:
    """``POST /uploads``: a ticket for one file; a retry with the same key gets the same ticket."""
    if not idempotency_key:  # nothing to claim: the database is not needed
        return idempotency.Done(create(caller.user_id, purpose, content_type, content_length, s3=s3), None)
    body = {"purpose": purpose, "contentType": content_type, "contentLength": content_length}
    with db.transaction() as conn, idempotency.once(conn, caller.user_id, OPERATION, idempotency_key, body) as attempt:
        if attempt.replay:
            return attempt.replay
        return attempt.done(create(caller.user_id, purpose, content_type, content_length, s3=s3))
