"""The instruction sent to the image model for each mode (saved verbatim in ``ai_prompt_used``)."""

from __future__ import annotations

_TRYON = (
    "You are a virtual fitting room. The first image is a photo of a person; the second image is a "
    "garment. Produce one photorealistic image of the same person wearing that garment: keep their face, "
    "body shape, pose, skin tone and hair exactly as in the first photo, keep the background, and render "
    "the garment's cut, colour, pattern and fabric faithfully with natural folds and lighting."
)
_FROM_PROMPT = (
    "Create one photorealistic fashion image of this look, as a full-body shot with studio lighting: {prompt}"
)
_PHOTO_TEXT = (
    "Edit the photo of this person as described, keeping their face, body, pose and the background "
    "unchanged unless the description asks otherwise. Make the result photorealistic. Description: {prompt}"
)


def instruction(mode: str, prompt: str | None, *, aspect_ratio: str | None = None, style: str | None = None) -> str:
    if mode == "tryon":
        text = _TRYON + (f" Also: {prompt}" if prompt else "")
    elif mode == "from_prompt":
        text = _FROM_PROMPT.format(prompt=prompt)
    elif mode == "photo_text":
        text = _PHOTO_TEXT.format(prompt=prompt)
    else:
        raise ValueError(f"unknown mode {mode}")
    if style:
        text += f" Style: {style}."
    if aspect_ratio:
        text += f" Aspect ratio {aspect_ratio}."
    return text
