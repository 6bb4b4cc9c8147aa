"""The local stack's advisor when no Bedrock model is configured: labelled offline, no model called."""

from __future__ import annotations

from imagify import media
from imagify.ai.advice.protocol import Advice


class OfflineAdvisor:
    """The local stack's stand-in when no Bedrock model is configured: says so, and still gives a prompt."""

    model = "offline-advisor"

    def advise(self, message: str, photo: media.Image | None) -> Advice:
        seen = "With the photo you sent in mind, " if photo is not None else ""
        markdown = (
            "_This answer comes from the **offline** advisor: no model was called._\n\n"
            f"{seen}here is a look for what you asked (\u201c{message[:200]}\u201d):\n\n"
            "- a relaxed, well-cut blazer in a neutral tone\n"
            "- a light shirt or fine knit underneath\n"
            "- straight trousers and clean leather shoes"
        )
        prompt = (
            "A photorealistic full-body fashion photograph of a person in a relaxed neutral-tone blazer over a "
            f"light shirt, straight trousers and clean leather shoes, styled for: {message[:300]}. Soft daylight."
        )
        return Advice(markdown=markdown, prompt=prompt, model=self.model)
