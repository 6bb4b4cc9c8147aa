"""The instruction sent to the image model for each mode (saved verbatim in ``ai_prompt_used``)."""

from __future__ import annotations

from collections.abc import Sequence

_TRYON = (
    "You are a virtual fitting room. The first image is a photo of a person; the second image is a "
    "garment. Produce one photorealistic image of the same person wearing that garment: keep their face, "
    "body shape, pose, skin tone and hair exactly as in the first photo, keep the background, and render "
    "the garment's cut, colour, pattern and fabric faithfully with natural folds and lighting."
)
_OUTFIT = (
    "You are a virtual fitting room. The first image is a photo of a person; the {count} images after it are "
    "the garments of one outfit. Produce one photorealistic image of the same person wearing all of them "
    "together: keep their face, body shape, pose, skin tone and hair exactly as in the first photo, keep the "
    "background, and render each garment's cut, colour, pattern and fabric faithfully with natural folds, "
    "layering and lighting."
)
_ORDINAL = ("second", "third", "fourth")
# Where each category of garment goes on the person.
_WHERE = {
    "top": "a top: dress the upper body in it",
    "bottom": "a bottom: dress the lower body in it",
    "one-piece": "a one-piece: it covers the upper and lower body",
    "outerwear": "outerwear: layer it over the other garments",
    "shoes": "a pair of shoes: put them on the feet",
    "accessory": "an accessory: add it where it is worn",
}
_PHOTO_TYPE = {
    "flat-lay": " (photographed laid flat, on its own)",
    "on-model": " (photographed worn by someone else: take only the garment, never that person's face or body)",
}
_FROM_PROMPT = (
    "Create one photorealistic fashion image of this look, as a full-body shot with studio lighting: {prompt}"
)
_PHOTO_TEXT = (
    "Edit the photo of this person as described, keeping their face, body, pose and the background "
    "unchanged unless the description asks otherwise. Make the result photorealistic. Description: {prompt}"
)


def _outfit(garments: Sequence[tuple[str | None, str | None]]) -> str:
    """The try-on's instruction for an outfit: what each garment image is and where it goes."""
    lines = [_OUTFIT.format(count=len(garments))]
    for ordinal, (category, photo_type) in zip(_ORDINAL, garments, strict=False):
        where = _WHERE.get(category or "", "a garment: put it where it is worn")
        lines.append(f"The {ordinal} image is {where}{_PHOTO_TYPE.get(photo_type or '', '')}.")
    return " ".join(lines)


def instruction(
    mode: str,
    prompt: str | None,
    *,
    aspect_ratio: str | None = None,
    style: str | None = None,
    garments: Sequence[tuple[str | None, str | None]] = (),
) -> str:
    """What the model is asked; ``garments`` (category, photo type) describe a try-on's garment images when
    it has more than one, or one whose kind was given."""
    if mode == "tryon":
        described = any(category or photo_type for category, photo_type in garments)
        text = (_outfit(garments) if len(garments) > 1 or described else _TRYON) + (
            f" Also: {prompt}" if prompt else ""
        )
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
