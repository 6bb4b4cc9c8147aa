"""Images as the API carries them (base64 data URIs), and headers of images too large to decode."""

from __future__ import annotations

import base64
import struct
import zlib


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def decoded_data_uri(value: str) -> tuple[str, bytes]:
    """The mime type and bytes of a base64 data URI."""
    head, _, encoded = value.partition(",")
    assert head.startswith("data:") and head.endswith(";base64"), head
    return head[5:-7], base64.b64decode(encoded)


def png_header(width: int, height: int) -> bytes:
    """A PNG of 69 bytes that says it is ``width`` x ``height`` (its one IDAT holds almost nothing)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


def jpeg_header(width: int, height: int) -> bytes:
    """A JPEG start of frame that says it is ``width`` x ``height``, and nothing to decode."""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + sof + b"\xff\xd9"
