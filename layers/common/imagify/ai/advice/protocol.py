"""What the style advisor is asked and what it answers, whichever model it is.

The model is asked for Markdown advice that ends with a prompt for the image generator between
``<generation_prompt>`` tags. The prompt is parsed defensively: a missing or malformed one gives
``None`` (the advice is still worth keeping), never a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from imagify import media

SYSTEM_PROMPT = """You are Imagify's personal style advisor. People ask you what to wear and sometimes send a photo of
themselves. Give warm, specific, practical advice in Markdown: what to wear (garments, colours, fabrics, fit),
why it suits them and the occasion, and one or two alternatives. Keep it under 300 words. Never comment on
weight or make assumptions about health, and never identify the person.

Finish with a prompt for an image generator that shows the look you recommend, on its own at the very end,
between <generation_prompt> and </generation_prompt>: one paragraph under 80 words describing the outfit
(garments, colours, fabrics, fit, accessories), the setting and the lighting, as a photorealistic full-body
fashion photograph. Use these tags nowhere else."""

_TAGGED = re.compile(r"<generation_prompt>\s*(.*?)\s*(?:</generation_prompt>|$)", re.IGNORECASE | re.DOTALL)
_FENCED = re.compile(r"```(?:prompt|text)?\s*\n(.*?)```", re.IGNORECASE | re.DOTALL)
MAX_PROMPT_CHARS = 2000
MIN_PROMPT_CHARS = 10


@dataclass(frozen=True)
class Advice:
    markdown: str
    prompt: str | None
    model: str


class AdvisorModel(Protocol):
    def advise(self, message: str, photo: media.Image | None) -> Advice: ...


def _clean(prompt: str) -> str | None:
    text = re.sub(r"[*_`#>]+", "", prompt)
    text = re.sub(r"\s+", " ", text).strip().strip("\"'").strip()
    if len(text) < MIN_PROMPT_CHARS:
        return None
    return text[:MAX_PROMPT_CHARS]


def split_answer(text: str) -> tuple[str, str | None]:
    """The advice to show, and the generation prompt found in it (or ``None``)."""
    tagged = _TAGGED.search(text)
    if tagged is not None:
        advice = (text[: tagged.start()] + text[tagged.end() :]).strip()
        return advice or text.strip(), _clean(tagged.group(1))
    fenced = list(_FENCED.finditer(text))
    if fenced:
        last = fenced[-1]
        return (text[: last.start()] + text[last.end() :]).strip(), _clean(last.group(1))
    return text.strip(), None
