"""What ``POST /generations`` and ``POST /uploads`` refuse: each bad input gets its documented 4xx, never
a 5xx, and a refused generation is neither recorded nor charged (photos are checked before the charge).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.generations import support
from tests.support.api import ApiClient, User

FIVE_MB = 5 * 1024 * 1024
PNG = support.picture(8, 8)
JPEG = support.picture(8, 8, fmt="JPEG")
GIF = support.picture(8, 8, fmt="GIF")

Build = Callable[[ApiClient, User, User], dict[str, Any]]


def _photo_text(photo: str) -> dict[str, Any]:
    return {"mode": "photo_text", "userPhotoUrl": photo, "prompt": "add a hat"}


def _oversized(decoded_size: int) -> str:
    # A real PNG signature, padded: the size is refused before anything is decoded.
    return support.data_uri(PNG + b"\0" * (decoded_size - len(PNG)))


CASES: list[Any] = [
    pytest.param(
        lambda api, me, other: _photo_text(support.upload(api, other, PNG)),
        422,
        "validation_error",
        "no such upload",
        id="another-users-upload",
    ),
    pytest.param(
        lambda api, me, other: _photo_text(f"upload:uploads/{me.id}/user_photo/never-uploaded.png"),
        422,
        "validation_error",
        "no such upload",
        id="upload-never-sent",
    ),
    pytest.param(
        lambda api, me, other: _photo_text(f"upload:uploads/{me.id}/../{other.id}/user_photo/x.png"),
        422,
        "validation_error",
        "no such upload",
        id="upload-path-escape",
    ),
    pytest.param(
        lambda api, me, other: _photo_text("http://169.254.169.254/latest/meta-data/photo.png"),
        422,
        "validation_error",
        "URLs are not fetched",
        id="http-url",
    ),
    pytest.param(
        lambda api, me, other: _photo_text("https://example.com/me.png"),
        422,
        "validation_error",
        "URLs are not fetched",
        id="https-url",
    ),
    pytest.param(
        lambda api, me, other: _photo_text("data:text/plain;base64," + base64.b64encode(b"hello").decode()),
        415,
        "unsupported_media_type",
        "",
        id="non-image-data-uri",
    ),
    pytest.param(
        lambda api, me, other: _photo_text(support.data_uri(GIF, "image/gif")),
        415,
        "unsupported_media_type",
        "image/gif is not supported",
        id="gif-data-uri",
    ),
    pytest.param(
        lambda api, me, other: _photo_text(support.data_uri(b"just some text, not a picture")),
        415,
        "unsupported_media_type",
        "not a readable PNG, JPEG or WebP image",
        id="data-uri-bytes-not-an-image",
    ),
    pytest.param(
        lambda api, me, other: _photo_text(support.data_uri(JPEG, "image/png")),
        415,
        "unsupported_media_type",
        "says image/png but the file is image/jpeg",
        id="data-uri-jpeg-declared-png",
    ),
    pytest.param(
        lambda api, me, other: _photo_text(support.upload(api, me, JPEG, "image/png")),
        415,
        "unsupported_media_type",
        "says image/png but the file is image/jpeg",
        id="upload-jpeg-declared-png",
    ),
    pytest.param(
        lambda api, me, other: _photo_text(support.upload(api, me, b"%PDF-1.7 not an image", "image/webp")),
        415,
        "unsupported_media_type",
        "not a readable PNG, JPEG or WebP image",
        id="upload-not-an-image",
    ),
    pytest.param(
        lambda api, me, other: _photo_text("data:image/png;base64,not base64!"),
        422,
        "validation_error",
        "not valid base64",
        id="data-uri-bad-base64",
    ),
    pytest.param(
        lambda api, me, other: _photo_text(_oversized(FIVE_MB + 1)),
        413,
        "payload_too_large",
        "larger than 5 MB",
        id="data-uri-just-over-5mb",
    ),
    pytest.param(
        # Longer than the schema's 7,000,000 characters (docs/openapi.json): refused by the schema itself.
        lambda api, me, other: _photo_text(_oversized(6 * 1024 * 1024)),
        422,
        "validation_error",
        "",
        id="data-uri-over-7-million-characters",
    ),
    pytest.param(
        lambda api, me, other: {"mode": "from_prompt"},
        422,
        "validation_error",
        "",
        id="from-prompt-without-prompt",
    ),
    pytest.param(
        lambda api, me, other: {"mode": "from_prompt", "prompt": "   "},
        422,
        "validation_error",
        "",
        id="from-prompt-blank-prompt",
    ),
    pytest.param(
        lambda api, me, other: {"mode": "tryon", "userPhotoUrl": support.data_uri(PNG)},
        422,
        "validation_error",
        "",
        id="tryon-without-garment",
    ),
    pytest.param(
        lambda api, me, other: {"mode": "from_prompt", "prompt": "a hat", "itemPhotoUrl": support.data_uri(PNG)},
        422,
        "validation_error",
        "",
        id="from-prompt-with-a-photo",
    ),
    pytest.param(
        lambda api, me, other: {"mode": "sketch", "prompt": "a hat"},
        422,
        "validation_error",
        "",
        id="unknown-mode",
    ),
    pytest.param(
        lambda api, me, other: {"mode": "from_prompt", "prompt": "a hat", "seed": 42},
        422,
        "validation_error",
        "",
        id="unknown-field",
    ),
    pytest.param(
        lambda api, me, other: {"mode": "from_prompt", "prompt": "a hat", "options": {"aspectRatio": "2:1"}},
        422,
        "validation_error",
        "",
        id="unknown-aspect-ratio",
    ),
]


@pytest.mark.parametrize(("build", "status", "code", "message"), CASES)
def test_a_bad_generation_request_gets_its_4xx_and_costs_nothing(
    api: ApiClient,
    user: User,
    other_user: User,
    sql: support.Sql,
    build: Build,
    status: int,
    code: str,
    message: str,
):
    # Given a request with one thing wrong
    body = build(api, user, other_user)

    # When it is sent
    answer = api.post("/generations", body, token=user.access_token)

    # Then it gets its 4xx, in the API's error format, saying what is wrong
    assert answer.status == status, answer.body
    assert answer.error_code == code
    assert message in answer.json()["error"]["message"]
    # And nothing was recorded or charged
    assert support.scalar(sql, "SELECT count(*) FROM generations") == 0
    assert support.balance(sql, user) == 50


def test_a_body_that_is_not_json_is_a_422(api: ApiClient, user: User):
    answer = api.post("/generations", b"{not json", token=user.access_token)
    assert answer.status == 422
    assert answer.error_code == "validation_error"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(
            {"purpose": "user_photo", "contentType": "image/png", "contentLength": 11 * 1024 * 1024},
            "contentLength",
            id="11mb",
        ),
        pytest.param(
            {"purpose": "user_photo", "contentType": "image/gif", "contentLength": 1000}, "contentType", id="gif"
        ),
        pytest.param(
            {"purpose": "user_photo", "contentType": "image/png", "contentLength": 0}, "contentLength", id="empty"
        ),
        pytest.param({"purpose": "avatar", "contentType": "image/png", "contentLength": 1000}, "purpose", id="purpose"),
        pytest.param(
            {"purpose": "user_photo", "contentType": "image/png", "contentLength": "1000"},
            "contentLength",
            id="size-as-text",
        ),
    ],
)
def test_an_upload_that_is_too_big_or_not_a_supported_image_is_refused(
    api: ApiClient, user: User, body: dict[str, Any], field: str
):
    # When an upload is asked for with one thing wrong
    answer = api.post("/uploads", body, token=user.access_token)

    # Then it is a 422 naming the field
    assert answer.status == 422, answer.body
    assert answer.error_code == "validation_error"
    assert any(field in detail["loc"] for detail in answer.json()["error"]["details"])


def test_an_upload_ticket_is_a_presigned_post_under_the_users_own_prefix(api: ApiClient, user: User):
    # When a 10 MB WebP upload is asked for
    answer = support.ask_upload(api, user, 10 * 1024 * 1024, "image/webp", "item_photo")

    # Then it is a presigned POST for a key under the user's prefix, of that type
    assert answer.status == 201, answer.body
    ticket = answer.json()
    key = ticket["fields"]["key"]
    assert key.startswith(f"uploads/{user.id}/item_photo/") and key.endswith(".webp")
    assert ticket["uploadRef"] == f"upload:{key}"
    assert ticket["fields"]["Content-Type"] == "image/webp"
    assert ticket["expiresAt"].endswith("Z")
    # And without a token there is none
    assert (
        api.post("/uploads", {"purpose": "user_photo", "contentType": "image/png", "contentLength": 10}).status == 401
    )
