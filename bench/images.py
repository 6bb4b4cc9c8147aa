"""Images that weigh what real ones do: a photo-like picture (smooth shapes under sensor noise) compresses
like a photo, unlike a flat test colour. Only Pillow (no numpy)."""

from __future__ import annotations

import base64
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter


def photo(width: int, height: int, *, seed: int, noise: float = 6.0) -> Image.Image:
    """Gradients and soft shapes (the scene) plus Gaussian noise of ``noise`` levels (the sensor)."""
    rng = random.Random(seed)
    channels = []
    for _ in range(3):
        gradient = Image.linear_gradient("L").rotate(rng.uniform(0, 360)).resize((width, height))
        gain, offset = rng.uniform(0.3, 0.9), rng.randint(0, 80)
        channels.append(gradient.point(lambda v, g=gain, o=offset: int(v * g + o)))
    scene = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(scene)
    for _ in range(12):
        x, y, r = rng.randint(0, width), rng.randint(0, height), rng.randint(width // 12, width // 3)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
    scene = scene.filter(ImageFilter.GaussianBlur(width / 60))
    if noise <= 0:
        return scene
    grain = Image.merge("RGB", [Image.effect_noise((width, height), noise) for _ in range(3)])
    return ImageChops.add(scene, grain, 1.0, -128)


def encode(picture: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, fmt, **options)
    return out.getvalue()


MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def data_uri(data: bytes, fmt: str) -> str:
    return f"data:{MIME[fmt]};base64,{base64.b64encode(data).decode()}"


def model_png(seed: int = 1, *, side: int = 1024, noise: float = 6.0) -> bytes:
    """What an image model answers: a 1024x1024 PNG of a photo-like picture (lossless, as a photo's PNG is)."""
    return encode(photo(side, side, seed=seed, noise=noise), "PNG")


@dataclass(frozen=True)
class Pool:
    """Distinct data URIs to store many times over (Postgres does not deduplicate them)."""

    uris: tuple[str, ...]

    def pick(self, rng: random.Random) -> str:
        return self.uris[rng.randrange(len(self.uris))]

    @property
    def mean_bytes(self) -> float:
        return sum(len(u) for u in self.uris) / len(self.uris)

    @property
    def sizes(self) -> tuple[int, int]:
        lengths = [len(u) for u in self.uris]
        return min(lengths), max(lengths)


def result_pool(count: int) -> Pool:
    """Stored generation results: a model's PNG as ``imagify.media.compact`` keeps it (WebP, q90),
    ~150-450 KB as a data URI."""
    from imagify import media

    uris = []
    for n in range(count):
        noise = 4.0 + 4.0 * n / max(1, count - 1)
        png = encode(photo(1024, 1024, seed=1000 + n, noise=noise), "PNG")
        stored = media.compact(media.Image(data=png, mime="image/png"))
        uris.append(stored.data_uri())
    return Pool(tuple(uris))


def item_pool(count: int) -> Pool:
    """Wardrobe uploads: phone photos downscaled by the frontend, JPEG, ~50-150 KB as a data URI."""
    uris = []
    for n in range(count):
        noise = 3.0 + 5.0 * n / max(1, count - 1)
        picture = photo(720, 960, seed=2000 + n, noise=noise)
        uris.append(data_uri(encode(picture, "JPEG", quality=80), "JPEG"))
    return Pool(tuple(uris))


def thumbnail_pool(count: int) -> Pool:
    """Small wardrobe images (a cut-out garment on a plain background), ~3-10 KB as a data URI."""
    uris = []
    for n in range(count):
        picture = photo(200, 260, seed=3000 + n, noise=2.0 + n % 4)
        uris.append(data_uri(encode(picture, "JPEG", quality=75), "JPEG"))
    return Pool(tuple(uris))
