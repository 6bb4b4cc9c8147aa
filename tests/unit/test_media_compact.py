"""How a model's image is kept in the row (``media.compact``): smaller when WebP is worth it, never above the
budget the image route can answer within Lambda's 6 MB."""

from __future__ import annotations

import io

from PIL import Image, ImageChops

from imagify import media
from tests.fakes.gemini import line_art_png, noisy_png


def _size(image: media.Image) -> tuple[int, int]:
    with Image.open(io.BytesIO(image.data)) as picture:
        return picture.size


def test_a_png_that_webp_makes_much_smaller_is_kept_as_webp():
    # Given a photo-like PNG: a gradient under sensor noise
    scene = Image.linear_gradient("L").convert("RGB").resize((512, 512))
    grain = Image.merge("RGB", [Image.effect_noise((512, 512), 6) for _ in range(3)])
    buffer = io.BytesIO()
    ImageChops.add(scene, grain, 1.0, -128).save(buffer, "PNG")

    kept = media.compact(media.Image(buffer.getvalue(), "image/png"))

    assert kept.mime == "image/webp" and len(kept.data) < 0.7 * len(buffer.getvalue())
    assert media.decoded(kept.data).mime == "image/webp"


def test_a_png_that_webp_would_not_shrink_is_kept_as_it_came():
    png = line_art_png(128, 128)

    assert media.compact(media.Image(png, "image/png")) == media.Image(png, "image/png")


def test_an_image_over_the_budget_is_re_encoded_and_if_need_be_scaled_down_until_it_fits():
    # Given a PNG of pure noise (WebP cannot compress it) of 768 KB, and a budget of 100 KB
    png = noisy_png(512, 512)
    assert len(png) > 700_000

    kept = media.compact(media.Image(png, "image/png"), max_bytes=100_000)

    # Then it is a WebP within the budget, smaller in pixels, of the same shape
    assert kept.mime == "image/webp" and len(kept.data) <= 100_000
    width, height = _size(kept)
    assert width == height < 512


def test_a_jpeg_within_the_budget_is_kept_and_one_over_it_is_not():
    buffer = io.BytesIO()
    Image.open(io.BytesIO(noisy_png(256, 256))).save(buffer, "JPEG", quality=95)
    jpeg = media.Image(buffer.getvalue(), "image/jpeg")

    assert media.compact(jpeg) == jpeg
    smaller = media.compact(jpeg, max_bytes=len(jpeg.data) // 2)
    assert smaller.mime == "image/webp" and len(smaller.data) <= len(jpeg.data) // 2
