"""Image bytes: data URIs in and out, checking what a file really is, downscaling and re-encoding.

Pillow is imported inside the functions, so a function that never touches pixels never loads it.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass

from imagify.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

MIME_BY_FORMAT = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
ALLOWED_MIME = frozenset(MIME_BY_FORMAT.values())
# Any media type, so that a data URI of something else (text/plain, say) is an unsupported type (415).
_DATA_URI = re.compile(r"^data:([a-z0-9.+-]+/[a-z0-9.+-]+);base64,", re.IGNORECASE)


@dataclass(frozen=True)
class Image:
    data: bytes
    mime: str

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode()}"


def is_data_uri(value: str) -> bool:
    return _DATA_URI.match(value) is not None


def from_data_uri(value: str, *, max_bytes: int, field: str) -> Image:
    """Decode ``data:image/<png|jpeg|webp>;base64,...`` and check the bytes are that kind of image."""
    match = _DATA_URI.match(value)
    if match is None:
        raise InvalidInput(f"{field} is not a base64 image data URI", details=[{"loc": ["body", field]}])
    mime = match.group(1).lower()
    if mime not in ALLOWED_MIME:
        raise UnsupportedMediaType(f"{field}: {mime} is not supported; use PNG, JPEG or WebP")
    encoded = value[match.end() :]
    if len(encoded) * 3 // 4 > max_bytes + 3:
        raise PayloadTooLarge(f"{field} is larger than {max_bytes // (1024 * 1024)} MB")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidInput(f"{field} is not valid base64", details=[{"loc": ["body", field]}]) from error
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"{field} is larger than {max_bytes // (1024 * 1024)} MB")
    return Image(data=data, mime=verified_mime(data, mime, field=field))


def verified_mime(data: bytes, declared: str, *, field: str) -> str:
    """The declared type, once Pillow has read the bytes as exactly that type."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            actual = MIME_BY_FORMAT.get(picture.format or "")
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UnsupportedMediaType(f"{field} is not a readable PNG, JPEG or WebP image") from error
    if actual != declared:
        raise UnsupportedMediaType(f"{field} says {declared} but the file is {actual or 'something else'}")
    return declared


def downscaled(image: Image, longest_edge: int) -> Image:
    """The image with its longest edge at most ``longest_edge`` pixels (unchanged if already smaller)."""
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(image.data)) as picture:
        if max(picture.size) <= longest_edge:
            return image
        picture.thumbnail((longest_edge, longest_edge), PILImage.Resampling.LANCZOS)
        out = io.BytesIO()
        if image.mime == "image/jpeg":
            picture.convert("RGB").save(out, "JPEG", quality=92)
        else:
            picture.save(out, "PNG" if image.mime == "image/png" else "WEBP", quality=92)
        return Image(data=out.getvalue(), mime=image.mime)


def compact(image: Image, *, worth_it: float = 0.7) -> Image:
    """A model's PNG re-encoded as WebP (high quality) when that is much smaller; otherwise as it came."""
    if image.mime != "image/png":
        return image
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(image.data)) as picture:
        out = io.BytesIO()
        picture.save(out, "WEBP", quality=90, method=4)
    smaller = out.getvalue()
    if len(smaller) < worth_it * len(image.data):
        return Image(data=smaller, mime="image/webp")
    return image


def parse_stored(data_uri: str) -> Image:
    """A data URI this service stored itself (no size or type checks: it was checked on the way in)."""
    match = _DATA_URI.match(data_uri)
    if match is None:
        raise ValueError("not a data URI")
    return Image(data=base64.b64decode(data_uri[match.end() :]), mime=match.group(1).lower())
