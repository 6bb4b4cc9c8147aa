"""Images that declare more pixels than ``media.MAX_IMAGE_PIXELS`` are a 422 wherever an image comes in.

A decompression bomb is a few bytes whose header declares a picture of billions of pixels: decoding it
would take gigabytes. It is refused from its header, before a pixel is decoded.
"""

from __future__ import annotations

import pytest

from imagify import media
from tests.integration.generations import support
from tests.support.api import ApiClient, ApiResponse, User
from tests.support.images import jpeg_header, png_header

BOMBS = {
    "png-50000x50000": (png_header(50_000, 50_000), "image/png"),
    "jpeg-65000x65000": (jpeg_header(65_000, 65_000), "image/jpeg"),
    "png-100-megapixels": (png_header(10_000, 10_000), "image/png"),
    "jpeg-108-megapixels": (jpeg_header(12_000, 9_000), "image/jpeg"),
    "png-just-over-the-limit": (png_header(media.MAX_IMAGE_PIXELS // 1000 + 1, 1000), "image/png"),
}


@pytest.fixture
def user(api: ApiClient) -> User:
    return api.register()


def _assert_refused(reply: ApiResponse) -> None:
    assert (reply.status, reply.error_code) == (422, "validation_error"), reply.body
    assert b"megapixels" in reply.body


@pytest.mark.parametrize("bomb", BOMBS, ids=BOMBS)
def test_an_image_past_the_pixel_limit_is_422_on_every_way_in(api: ApiClient, user: User, bomb: str):
    data, mime = BOMBS[bomb]
    assert len(data) < 100
    inline = support.data_uri(data, mime)
    token = user.access_token
    _assert_refused(api.post("/wardrobe/items", {"imageBase64": inline}, token=token))
    _assert_refused(api.post("/wardrobe/collections", {"name": "c", "coverImageBase64": inline}, token=token))
    _assert_refused(
        api.post("/generations", {"mode": "photo_text", "userPhotoUrl": inline, "prompt": "a hat"}, token=token)
    )
    _assert_refused(api.post("/advisor", {"message": "what suits me?", "userPhotoUrl": inline}, token=token))
    uploaded = support.upload(api, user, data, mime, "user_photo")
    _assert_refused(
        api.post("/generations", {"mode": "photo_text", "userPhotoUrl": uploaded, "prompt": "a hat"}, token=token)
    )
    # And nothing was charged or kept
    assert api.get("/me", token=token).json()["tokens"] == 50
    assert api.get("/wardrobe/items", token=token).json()["items"] == []
