"""Image bytes: data URIs in and out, checking what a file really is, downscaling and re-encoding.

Pillow is imported inside the functions, so a function that never touches pixels never loads it.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass
from typing import Any

from imagify.errors import InvalidInput, PayloadTooLarge, StoredImageUnreadable, UnsupportedMediaType

MIME_BY_FORMAT = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
ALLOWED_MIME = frozenset(MIME_BY_FORMAT.values())
# The most pixels an image may have to be decoded here: above the largest image Gemini's image models draw
# (4K, about 17 megapixels at any aspect ratio), far below Pillow's decompression-bomb guard (~89 MP, whose
# decoded RGBA would need ~360 MB of a 1 GB function). The size is read from the header, before decoding.
MAX_IMAGE_PIXELS = 25_000_000
# Any media type, so that a data URI of something else (text/plain, say) is an unsupported type (415).
_DATA_URI = re.compile(r"^data:([a-z0-9.+-]+/[a-z0-9.+-]+);base64,", re.IGNORECASE)


@dataclass(frozen=True)
class Image:
    data: bytes
    mime: str

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode()}"


def load() -> None:
    """Import Pillow with the plugins of the formats read and written here: before a SnapStart snapshot, for a
    function whose requests handle pixels (its first request would otherwise import them: ~30 ms)."""
    from PIL import Image as PILImage
    from PIL import JpegImagePlugin, PngImagePlugin, WebPImagePlugin  # noqa: F401 (they register themselves)

    PILImage.preinit()


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

    too_big = InvalidInput(
        f"{field} has more than {MAX_IMAGE_PIXELS // 1_000_000} megapixels", details=[{"loc": ["body", field]}]
    )
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            actual = MIME_BY_FORMAT.get(picture.format or "")
            # The header's size, before any pixel is decoded: a 69-byte file may declare 50,000 x 50,000.
            if picture.size[0] * picture.size[1] > MAX_IMAGE_PIXELS:
                raise too_big
            picture.verify()
    except PILImage.DecompressionBombError as error:
        raise too_big from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UnsupportedMediaType(f"{field} is not a readable PNG, JPEG or WebP image") from error
    if actual != declared:
        raise UnsupportedMediaType(f"{field} says {declared} but the file is {actual or 'something else'}")
    return declared


class NotAnImage(ValueError):
    """Bytes that do not decode as a PNG, JPEG or WebP image within :data:`MAX_IMAGE_PIXELS`."""


class TooManyPixels(NotAnImage):
    """More pixels than allowed, as the header says (nothing was decoded)."""


def decoded(data: bytes, *, max_pixels: int = MAX_IMAGE_PIXELS) -> Image:
    """The bytes as an image, its type read from the bytes (never from a label), once every pixel decoded.

    Only PNG, JPEG and WebP are tried; anything else (SVG, HTML, GIF, random bytes, a truncated file, more
    than ``max_pixels``) raises :class:`NotAnImage`.
    """
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data), formats=tuple(MIME_BY_FORMAT)) as picture:
            mime = MIME_BY_FORMAT.get(picture.format or "")
            width, height = picture.size
            if width * height > max_pixels:
                raise TooManyPixels(f"{width}x{height} is more than {max_pixels} pixels")
            picture.load()
    except PILImage.DecompressionBombError as error:
        raise TooManyPixels(str(error)) from error
    except NotAnImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise NotAnImage(f"{type(error).__name__}: {error}") from error
    if mime is None:  # open() tried only these formats
        raise NotAnImage("not a PNG, JPEG or WebP image")
    return Image(data=data, mime=mime)


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


# The most a stored result may weigh: the image route answers it base64-encoded (4/3 larger) within Lambda's
# 6 MB synchronous response, so 4 MiB of image (5.6 MB of base64) leaves room for the rest of the answer.
MAX_STORED_BYTES = 4 * 1024 * 1024
_QUALITIES = (90, 80, 70, 60)


def compact(image: Image, *, worth_it: float = 0.7, max_bytes: int = MAX_STORED_BYTES) -> Image:
    """A model's image as the row keeps it: a PNG re-encoded as WebP (high quality) when that is much smaller,
    otherwise as it came; and never more than ``max_bytes``, lowering the WebP's quality and then its size
    until it fits (a 4K photo's PNG is ~25 MB; its WebP at q90 2-4 MB)."""
    if image.mime != "image/png" and len(image.data) <= max_bytes:
        return image
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(image.data)) as opened:
        picture = opened.convert("RGBA" if opened.mode in ("RGBA", "LA", "P") else "RGB")
    smaller = _webp(picture, _QUALITIES[0])
    if len(image.data) <= max_bytes and len(smaller) >= worth_it * len(image.data):
        return image  # a PNG that fits, and that WebP would not make much smaller
    for quality in _QUALITIES[1:]:
        if len(smaller) <= max_bytes:
            break
        smaller = _webp(picture, quality)
    while len(smaller) > max_bytes:  # (WebP at q60 of pure noise): fewer pixels, by the area still needed
        scale = max(0.5, min(0.9, (max_bytes / len(smaller)) ** 0.5))
        picture = picture.resize(
            (max(1, int(picture.width * scale)), max(1, int(picture.height * scale))), PILImage.Resampling.LANCZOS
        )
        smaller = _webp(picture, _QUALITIES[-1])
    return Image(data=smaller, mime="image/webp")


def _webp(picture: Any, quality: int) -> bytes:
    out = io.BytesIO()
    picture.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()


# How a stored image may be written by either writer of the shared database: a data URL (any parameters, but
# base64) or bare base64. Which type it is comes from its bytes, never from the data URL's claim.
_STORED_DATA_URL = re.compile(r"^data:([^;,]*)((?:;[^;,]*)*);base64,", re.IGNORECASE)
# What a stored data URL may claim: a type served here, a generic one, or none.
_ACCEPTABLE_CLAIMS = ALLOWED_MIME | {"", "image/jpg", "image/pjpeg", "application/octet-stream"}
_WHITESPACE = re.compile(r"\s+")


def parse_stored(value: str) -> Image:
    """An image a row holds (written by this service or by the frontend): a ``data:`` URL or bare base64,
    decoded, its type taken from its bytes. Anything that is not a readable PNG, JPEG or WebP (an SVG, a data
    URL claiming another type, text, random bytes) is ``StoredImageUnreadable``; nothing is served unchecked."""
    text = value.strip()
    match = _STORED_DATA_URL.match(text)
    if match is not None:
        if match.group(1).strip().lower() not in _ACCEPTABLE_CLAIMS:
            raise StoredImageUnreadable()
        text = text[match.end() :]
    elif text[:5].lower() == "data:":
        raise StoredImageUnreadable()  # a data URL that is not base64 (an SVG's markup, say)
    data = _decoded_base64(text)
    if data is None:
        raise StoredImageUnreadable()
    try:
        return proven(data)
    except Exception as error:  # NotAnImage, or whatever else Pillow may raise on hostile bytes: unreadable
        raise StoredImageUnreadable() from error


def servable(value: str) -> Image:
    """A stored image as the image routes answer it: read as :func:`parse_stored` reads it, and re-encoded within
    :data:`MAX_STORED_BYTES` when a writer stored a larger one (Lambda answers at most 6 MB)."""
    image = parse_stored(value)
    return image if len(image.data) <= MAX_STORED_BYTES else compact(image)


def proven(data: bytes) -> Image:
    """The bytes with the type they prove: Pillow identifies them as a PNG, JPEG or WebP (by their signature and
    header, never by a label) and checks their structure, without decoding a pixel. For images already stored,
    which were checked when they came in: decoding them whole at every read took 0.1 to 1.2 s for 1K to 4K
    images (here), where this takes 1 to 17 ms. What comes in is decoded whole (:func:`decoded`)."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(data), formats=tuple(MIME_BY_FORMAT)) as picture:
            mime = MIME_BY_FORMAT.get(picture.format or "")
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise NotAnImage(f"{type(error).__name__}: {error}") from error
    if mime is None:
        raise NotAnImage("not a PNG, JPEG or WebP image")
    return Image(data=data, mime=mime)


def _decoded_base64(text: str) -> bytes | None:
    """Standard or URL-safe base64, with or without padding and line breaks; None when it is not base64."""
    try:
        return base64.b64decode(text, validate=True)  # what both writers store: canonical, at C speed
    except (binascii.Error, ValueError):
        pass
    compact_text = _WHITESPACE.sub("", text)
    if not compact_text:
        return None
    if "-" in compact_text or "_" in compact_text:
        compact_text = compact_text.translate(str.maketrans("-_", "+/"))
    compact_text += "=" * (-len(compact_text) % 4)
    try:
        return base64.b64decode(compact_text, validate=True)
    except (binascii.Error, ValueError):
        return None
