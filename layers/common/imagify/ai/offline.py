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

from imagify.ai.images import ImageRequest, ImageResult
from imagify.images import Image

MODEL = "offline-preview"
SIZE = 768


def _open(image: Image) -> PILImage.Image:
    picture = PILImage.open(io.BytesIO(image.data)).convert("RGB")
    picture.thumbnail((SIZE, SIZE))
    return picture


def _caption(canvas: PILImage.Image, text: str, *, top: int) -> None:
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=26)
    lines = textwrap.wrap(text, width=48)[:12]
    height = 34 * len(lines) + 24
    draw.rectangle((0, top, canvas.width, top + height), fill=(0, 0, 0))
    for number, line in enumerate(lines):
        draw.text((16, top + 12 + 34 * number), line, fill=(255, 255, 255), font=font)


class OfflineImageModel:
    model = MODEL

    def generate(self, request: ImageRequest) -> ImageResult:
        seed = hashlib.sha256(request.instruction.encode()).digest()
        canvas = PILImage.new("RGB", (SIZE * max(1, len(request.images)), SIZE), tuple(seed[:3]))
        for slot, image in enumerate(request.images):
            photo = _open(image)
            canvas.paste(photo, (slot * SIZE + (SIZE - photo.width) // 2, (SIZE - photo.height) // 2))
        _caption(canvas, "OFFLINE PREVIEW (no model was called)", top=0)
        _caption(canvas, request.instruction, top=SIZE // 2)
        out = io.BytesIO()
        canvas.save(out, "PNG")
        return ImageResult(image=Image(data=out.getvalue(), mime="image/png"), model=MODEL)
