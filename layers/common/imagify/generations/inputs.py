"""The photos a generation takes: the caller's own upload (by uploadRef or by the presigned URL a row keeps for
it), or an inline data URI. Never a URL to fetch."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from imagify import media, uploads
from imagify.errors import InvalidInput

MAX_INLINE_BYTES = 5 * 1024 * 1024


def garment_field(index: int) -> str:
    """The request field of an outfit's garment photo, as errors name it."""
    return f"garments[{index}].photoUrl"


def photo(user_id: UUID, value: str, *, field: str, s3: Any | None = None) -> media.Image:
    """The image behind a photo field, checked: owner, size, and that it decodes as its declared type."""
    if uploads.names_an_upload(value, s3=s3):
        return uploads.read(user_id, value, field=field, s3=s3)
    return _inline(value, field)


def accepted(user_id: UUID, value: str, *, field: str, s3: Any | None = None) -> tuple[media.Image, str]:
    """A photo field of a request, checked as ``photo`` checks it, and what a row keeps for it: for an upload,
    a presigned GET URL that the frontend (which reads the same rows) can show while the upload lives, and
    from which this service takes the key back; an inline data URI as it came."""
    if uploads.names_an_upload(value, s3=s3):
        upload = uploads.fetch(user_id, value, field=field, s3=s3)
        return upload.image, uploads.presigned_get(upload)
    return _inline(value, field), value


def _inline(value: str, field: str) -> media.Image:
    if value.startswith("data:"):
        return media.from_data_uri(value, max_bytes=MAX_INLINE_BYTES, field=field)
    # A URL would make this service fetch whatever the caller names (SSRF): only uploads and inline data.
    raise InvalidInput(
        f"{field} must be an uploadRef from POST /uploads or a data:image/...;base64 URI; URLs are not fetched",
        details=[{"loc": ["body", field], "msg": "not an uploadRef or data URI", "type": "photo_source"}],
    )
