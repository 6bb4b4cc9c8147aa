"""The image routes serve whatever readable image a row holds, however its writer stored it.

The database is shared with the frontend, which may store an image as a ``data:`` URL or as bare base64. Both
are served, typed from the bytes (never from a claim), with ``nosniff``; anything that is not a readable PNG,
JPEG or WebP (an SVG with a script, a data URL of another type, random bytes) is a 409 in the API's error
format, never a 5xx and never served. The rows are written with SQL, as the frontend would write them.
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image as PILImage

from imagify import media
from tests.fakes.gemini import noisy_png, png
from tests.support.api import ApiClient, User
from tests.support.sql import Sql

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>'


def _encoded(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _picture(fmt: str, colour: tuple[int, int, int] = (200, 30, 60)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (21, 13), colour).save(out, fmt)
    return out.getvalue()


PNG = png(24, 32, (200, 30, 60))
JPEG = _picture("JPEG")
WEBP = _picture("WEBP")
GIF = _picture("GIF")


def _generation_with(sql: Sql, user: User, stored: str) -> str:
    row = sql.execute(
        "INSERT INTO generations (user_id, mode, status, prompt, result_image_base64) "
        "VALUES (%s, 'from_prompt', 'completed', 'a look', %s) RETURNING id::text AS id",
        (user.id, stored),
    ).fetchone()
    assert row is not None
    return f"/generations/{row['id']}/image"


def _item_with(sql: Sql, user: User, stored: str) -> str:
    row = sql.execute(
        "INSERT INTO wardrobe_items (user_id, title, image_base64) VALUES (%s, 'kept', %s) RETURNING id::text AS id",
        (user.id, stored),
    ).fetchone()
    assert row is not None
    return f"/wardrobe/items/{row['id']}/image"


ROUTES = [pytest.param(_generation_with, id="generation"), pytest.param(_item_with, id="wardrobe-item")]
Writer = Callable[[Sql, User, str], str]


@pytest.mark.parametrize("write", ROUTES)
@pytest.mark.parametrize(
    ("stored", "mime", "data"),
    [
        pytest.param(f"data:image/png;base64,{_encoded(PNG)}", "image/png", PNG, id="png-data-url"),
        pytest.param(_encoded(PNG), "image/png", PNG, id="png-bare-base64"),
        pytest.param(_encoded(JPEG), "image/jpeg", JPEG, id="jpeg-bare-base64"),
        pytest.param(_encoded(WEBP), "image/webp", WEBP, id="webp-bare-base64"),
        pytest.param(f"data:image/png;base64,{_encoded(JPEG)}", "image/jpeg", JPEG, id="jpeg-labelled-png"),
        pytest.param(f"data:image/jpg;base64,{_encoded(JPEG)}", "image/jpeg", JPEG, id="image-jpg-alias"),
        pytest.param(
            "\n".join(_encoded(PNG)[i : i + 76] for i in range(0, len(_encoded(PNG)), 76)) + "\n",
            "image/png",
            PNG,
            id="base64-with-line-breaks",
        ),
        pytest.param(_encoded(PNG).rstrip("="), "image/png", PNG, id="base64-without-padding"),
        pytest.param(base64.urlsafe_b64encode(JPEG).decode(), "image/jpeg", JPEG, id="url-safe-base64"),
    ],
)
def test_a_stored_image_in_any_form_the_frontend_writes_is_served_typed_from_its_bytes(
    api: ApiClient, sql: Sql, write: Writer, stored: str, mime: str, data: bytes
):
    # Given a row the frontend wrote, holding the image in one of the forms it may use
    user = api.register()
    path = write(sql, user, stored)

    # When its image is fetched
    answer = api.get(path, token=user.access_token)

    # Then the bytes are served with the type the bytes are, and browsers are told not to sniff
    assert answer.status == 200, answer.body[:300]
    assert answer.headers["content-type"] == mime
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.body == data
    # And a revalidation (304) says nosniff too
    again = api.get(path, token=user.access_token, headers={"If-None-Match": answer.headers["etag"]})
    assert again.status == 304
    assert again.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("write", ROUTES)
@pytest.mark.parametrize(
    "stored",
    [
        pytest.param(f"data:image/svg+xml;base64,{_encoded(SVG)}", id="svg-data-url-with-script"),
        pytest.param(_encoded(SVG), id="svg-bare-base64"),
        pytest.param("data:image/svg+xml," + SVG.decode(), id="svg-data-url-not-base64"),
        pytest.param(f"data:image/svg+xml;base64,{_encoded(PNG)}", id="png-bytes-claimed-as-svg"),
        pytest.param(f"data:text/html;base64,{_encoded(PNG)}", id="png-bytes-claimed-as-html"),
        pytest.param(_encoded(os.urandom(2048)), id="random-bytes"),
        pytest.param(f"data:image/png;base64,{_encoded(PNG[:40])}", id="truncated-png"),
        pytest.param(f"data:image/gif;base64,{_encoded(GIF)}", id="gif-not-accepted-anywhere"),
        pytest.param("this is not base64 at all!", id="text"),
        pytest.param("", id="empty"),
        pytest.param("https://example.com/photo.png", id="a-url"),
    ],
)
def test_anything_that_is_not_a_readable_raster_image_is_a_409_never_served(
    api: ApiClient, sql: Sql, write: Writer, stored: str
):
    user = api.register()
    path = write(sql, user, stored)

    answer = api.get(path, token=user.access_token)

    assert answer.status == 409, (answer.status, answer.body[:300])
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-content-type-options"] == "nosniff"
    body: dict[str, Any] = answer.json()
    assert body == {
        "error": {
            "code": "stored_image_unreadable",
            "message": "the stored image is unreadable: it is not a PNG, JPEG or WebP image",
            "details": [],
        }
    }
    assert b"<script>" not in answer.body


@pytest.mark.parametrize("write", ROUTES)
def test_another_users_row_is_still_a_404_with_nosniff(api: ApiClient, sql: Sql, write: Writer):
    owner, stranger = api.register(), api.register()
    path = write(sql, owner, _encoded(SVG))

    answer = api.get(path, token=stranger.access_token)

    assert answer.status == 404
    assert answer.error_code == "not_found"
    assert answer.headers["x-content-type-options"] == "nosniff"


# -- results too large to answer inline -----------------------------------------------------------------------


def test_a_4k_result_is_read_from_its_image_route_within_lambdas_6_mb_and_the_generation_stays_small(
    api: ApiClient, sql: Sql
):
    # Given a completed generation holding a result of nearly 4 MiB (a 4K image as the flow keeps it), 5.3 MB
    # as a data URI
    user = api.register()
    large = noisy_png(1180, 1180)
    assert 3_900_000 < len(large) <= media.MAX_STORED_BYTES
    path = _generation_with(sql, user, f"data:image/png;base64,{_encoded(large)}")

    # When the generation is read, then its image
    generation = api.get(path.removesuffix("/image"), token=user.access_token)
    image = api.get(path, token=user.access_token)

    # Then the generation's answer is small and says where the image is
    assert generation.status == 200, generation.body[:300]
    assert len(generation.body) < 4096
    assert (generation.json()["resultImageBase64"], generation.json()["resultImageUrl"]) == (None, path)
    # And the image route answers the bytes whole (the local gateway refuses, as Lambda does, an answer over 6 MB)
    assert image.status == 200, image.body[:300]
    assert image.body == large


@pytest.mark.parametrize("write", ROUTES)
def test_an_image_another_writer_stored_above_what_lambda_can_answer_is_served_re_encoded(
    api: ApiClient, sql: Sql, write: Writer
):
    # Given a row holding a 6.8 MB PNG (9 MB as base64: Lambda could not answer it as it is)
    user = api.register()
    huge = noisy_png(1500, 1500)
    path = write(sql, user, _encoded(huge))

    # When its image is fetched
    answer = api.get(path, token=user.access_token)

    # Then it is served as a WebP within the budget, the same picture's shape, not a 502
    assert answer.status == 200, answer.body[:300]
    assert answer.headers["content-type"] == "image/webp"
    assert len(answer.body) <= media.MAX_STORED_BYTES
    with PILImage.open(io.BytesIO(answer.body)) as picture:
        assert picture.width == picture.height
