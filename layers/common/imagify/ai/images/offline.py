"""The local stack's stand-in for Gemini, so a newcomer sees the whole flow with no API key.

Deterministic and clearly labelled (``modelUsed`` = ``offline-preview``): a try-on shows the two photos
side by side, a prompt is drawn as text, a photo with a description gets the text over the photo. Never
selected in AWS, and never what a test of the Gemini integration exercises.
"""

from __future__ import annotations

import hashlib
import io
import textwrap

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from imagify.ai.images.protocol import ImageRequest, ImageResult
from imagify.media import Image

MODEL = "offline-preview"
SIZE = 768


def _open(image: Image) -> PILImage.Image:
    picture = PILImage.open(io.BytesIO(image.data)).convert("RGB")
    picture.thumbnail((SIZE, SIZE))
    return picture


HEADER = 56
LINE = 34


def _caption(draw: ImageDraw.ImageDraw, lines: list[str], *, top: int, width: int) -> None:
    font = ImageFont.load_default(size=26)
    draw.rectangle((0, top, width, top + LINE * len(lines) + 22), fill=(0, 0, 0))
    for number, line in enumerate(lines):
        draw.text((16, top + 11 + LINE * number), line, fill=(255, 255, 255), font=font)


# The longer edge of each size, as Gemini draws them.
LONGER_EDGE = {"1K": 1024, "2K": 2048, "4K": 4096}


def _framed(canvas: PILImage.Image, ratio: str | None, size: str | None, colour: tuple[int, ...]) -> PILImage.Image:
    """The preview fitted into a frame of the asked ratio (``"16:9"``) and size, as the model would answer."""
    across, down = (int(part) for part in (ratio or f"{canvas.width}:{canvas.height}").split(":"))
    edge = LONGER_EDGE.get(size or "", max(canvas.size))
    frame_size = (edge, round(edge * down / across)) if across >= down else (round(edge * across / down), edge)
    frame = PILImage.new("RGB", frame_size, colour)
    canvas.thumbnail(frame_size)
    frame.paste(canvas, ((frame.width - canvas.width) // 2, (frame.height - canvas.height) // 2))
    return frame


class OfflineImageModel:
    model = MODEL

    def generate(self, request: ImageRequest) -> ImageResult:
        seed = hashlib.sha256(request.instruction.encode()).digest()
        width = SIZE * max(1, len(request.images))
        lines = textwrap.wrap(request.instruction, width=width // 15)[:12]
        canvas = PILImage.new("RGB", (width, HEADER + SIZE + LINE * len(lines) + 22), tuple(seed[:3]))
        for slot, image in enumerate(request.images):
            photo = _open(image)
            canvas.paste(photo, (slot * SIZE + (SIZE - photo.width) // 2, HEADER + (SIZE - photo.height) // 2))
        draw = ImageDraw.Draw(canvas)
        _caption(draw, ["OFFLINE PREVIEW (no model was called)"], top=0, width=width)
        _caption(draw, lines, top=HEADER + SIZE, width=width)
        if request.aspect_ratio is not None or request.image_size is not None:
            canvas = _framed(canvas, request.aspect_ratio, request.image_size, tuple(seed[:3]))
        out = io.BytesIO()
        canvas.save(out, "PNG")
        return ImageResult(image=Image(data=out.getvalue(), mime="image/png"), model=MODEL)
