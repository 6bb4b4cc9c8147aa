"""The state machine's tasks: MarkProcessing → Generate → MarkCompleted, and MarkFailed on any error.

Step Functions delivers a task at least once, so each step is a conditional update that does nothing
when the generation is not in the status the step expects; a generation cancelled or deleted meanwhile is
never overwritten. Only ids pass between states (their payloads are capped at 256 KiB): Generate writes
the image straight into the row.
"""

from __future__ import annotations

import json
import time
from typing import Any
from uuid import UUID

from imagify import db, errors, images, telemetry
from imagify.ai.images import (
    IMAGE_TOO_LARGE,
    REJECTIONS,
    UNREADABLE_IMAGE,
    GenerationRejected,
    ImageModel,
    ImageRequest,
)
from imagify.generations import inputs, queries
from imagify.observability import logger
from imagify.settings import ai_settings
from imagify.tokens import ledger


class GenerationGone(Exception):
    """The generation was cancelled or deleted while the execution ran: stop, without retrying."""


def mark_processing(generation_id: UUID) -> None:
    with db.transaction() as conn:
        moved = conn.execute(
            "UPDATE generations SET status = 'processing' WHERE id = %s AND status = 'pending'", (generation_id,)
        ).rowcount
        if moved == 0 and queries.status_of(conn, generation_id) != "processing":
            raise GenerationGone(f"generation {generation_id} is no longer pending")


def generate(generation_id: UUID, model: ImageModel) -> None:
    found = queries.read_detail(generation_id)
    if found is None or found[0].status != "processing":
        raise GenerationGone(f"generation {generation_id} is no longer processing")
    row = found[0]
    longest = ai_settings().input_longest_edge
    photos = tuple(
        images.downscaled(inputs.photo(row.user_id, value, field=field), longest)
        for field, value in (("userPhotoUrl", row.user_photo_url), ("itemPhotoUrl", row.item_photo_url))
        if value is not None
    )
    assert row.ai_prompt_used is not None  # written with the pending row
    started = time.monotonic()
    result = model.generate(ImageRequest(instruction=row.ai_prompt_used, images=photos))
    elapsed_ms = int((time.monotonic() - started) * 1000)
    telemetry.milliseconds("GenerationLatency", elapsed_ms, mode=row.mode)
    stored = images.compact(_checked(result.image, model=result.model))
    with db.transaction() as conn:
        written = conn.execute(
            "UPDATE generations SET result_image_base64 = %s, model_used = %s, generation_time_ms = %s "
            "WHERE id = %s AND status = 'processing'",
            (stored.data_uri(), result.model[:100], elapsed_ms, generation_id),
        ).rowcount
    if written == 0:
        raise GenerationGone(f"generation {generation_id} was cancelled while the model worked")


def _checked(image: images.Image, *, model: str) -> images.Image:
    """What the model sent, once it decodes as a PNG, JPEG or WebP of at most ``images.MAX_IMAGE_PIXELS``
    pixels; its type is the one its bytes show, whatever the model's label said."""
    try:
        return images.decoded(image.data)
    except images.NotAnImage as error:
        logger.warning(
            "the image model sent back bytes that are not a usable image",
            extra={"model": model, "declared_mime": image.mime[:100], "size": len(image.data), "why": str(error)},
        )
        too_large = isinstance(error, images.TooManyPixels)
        raise GenerationRejected(IMAGE_TOO_LARGE if too_large else UNREADABLE_IMAGE) from None


def mark_completed(generation_id: UUID) -> None:
    with db.transaction() as conn:
        done = conn.execute(
            "UPDATE generations SET status = 'completed' "
            "WHERE id = %s AND status = 'processing' AND result_image_base64 IS NOT NULL RETURNING mode",
            (generation_id,),
        ).fetchone()
        if done is None and queries.status_of(conn, generation_id) != "completed":
            raise GenerationGone(f"generation {generation_id} cannot complete")
    if done is not None:
        logger.info("generation completed", extra={"generation_id": str(generation_id)})
        telemetry.count("GenerationsCompleted", mode=str(done["mode"]))


# Errors whose own message is meant for the user (they say what was wrong with the request). A model's
# rejection is shown only when it is one of our own sentences (never words a provider wrote).
_USER_FACING = {cls.__name__ for cls in (errors.InvalidInput, errors.PayloadTooLarge, errors.UnsupportedMediaType)}
_MESSAGES = {
    "GeminiThrottled": "the image service is busy right now; please try again in a minute",
    "GeminiUnavailable": "the image service is unavailable right now; please try again shortly",
    "ImageModelMisconfigured": "the image model is not available right now, so nothing was generated",
    "GenerationRejected": "the image model could not produce an image for this request",
    "States.Timeout": "the generation took too long",
}


def describe(error: dict[str, Any] | None) -> str:
    """A message a person can read, from the error a ``Catch`` put in the state (``{Error, Cause}``)."""
    name = str((error or {}).get("Error", ""))
    cause = (error or {}).get("Cause") or ""
    detail = ""
    try:
        detail = str(json.loads(cause).get("errorMessage", "")) if cause else ""
    except (json.JSONDecodeError, AttributeError):
        detail = ""
    if (name in _USER_FACING and detail) or (name == "GenerationRejected" and detail in REJECTIONS):
        message = detail
    else:
        message = _MESSAGES.get(name, "something went wrong while generating")
    return f"{message}; your tokens were refunded"


def mark_failed(generation_id: UUID, error: dict[str, Any] | None) -> None:
    """Fail the generation and refund it, once, whichever step failed and however often this runs."""
    reason = str((error or {}).get("Error", "unknown"))[:100]
    with db.transaction() as conn:
        failed_now = queries.fail(conn, generation_id, describe(error))
        refund = None
        # A generation that completed keeps its charge, even if a later step's error led here.
        if queries.status_of(conn, generation_id) == "failed":
            refund = ledger.refund_generation(conn, generation_id, note=reason)
    if failed_now:
        logger.info("generation failed", extra={"generation_id": str(generation_id), "reason": reason})
        telemetry.count("GenerationsFailed", mode=failed_now, reason=reason)
    telemetry.refunded(refund, reason)
