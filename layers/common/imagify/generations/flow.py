"""The state machine's tasks: MarkProcessing → Generate → MarkCompleted, and MarkFailed on any error.

Step Functions delivers a task at least once, so each step is a conditional update that does nothing
when the generation is not in the status the step expects; a generation cancelled or deleted meanwhile is
never overwritten. Only ids pass between states (their payloads are capped at 256 KiB): Generate writes
the image straight into the row.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from imagify import db, errors, media, observability
from imagify.ai.images.protocol import (
    BLOCKED,
    FINISH_REASONS,
    IMAGE_TOO_LARGE,
    REJECTIONS,
    REQUEST_REFUSED,
    UNREADABLE_IMAGE,
    GeminiUnavailable,
    GenerationRejected,
    ImageModel,
    ImageRequest,
)
from imagify.billing import ledger
from imagify.clock import utcnow_exact
from imagify.generations import inputs, queries
from imagify.models.rows import ErrorCode, GenerationExtrasRow, GenerationRow
from imagify.observability import logger
from imagify.settings import ai_settings


class GenerationGone(Exception):
    """The generation was cancelled or deleted while the execution ran: stop, without retrying."""


class DeadlinePassed(Exception):
    """The generation was not done by its deadline: it fails as timed_out, without retrying."""


def _past(deadline: datetime | None, *, within: timedelta = timedelta()) -> bool:
    """Whether the deadline has passed (or will within ``within``), to the microsecond."""
    return deadline is not None and utcnow_exact() >= deadline - within


def mark_processing(generation_id: UUID) -> None:
    with db.transaction() as conn:
        # The generation's row first, then its options: the order every writer takes them in.
        moved = queries.start_processing(conn, generation_id)
        if not moved and queries.status_of(conn, generation_id) != "processing":
            raise GenerationGone(f"generation {generation_id} is no longer pending")
        if _past(queries.deadline_of(conn, generation_id)):
            raise DeadlinePassed(f"generation {generation_id} is past its deadline")  # (the update rolls back)


def generate(generation_id: UUID, model_for: Callable[[str], ImageModel]) -> None:
    """Ask the model of the generation's quality tier (``model_for(quality)``) for its image, at its aspect
    ratio and size, and write the result into the row."""
    found = queries.read_detail(generation_id)
    if found is None or found[0].status != "processing":
        raise GenerationGone(f"generation {generation_id} is no longer processing")
    row, extras = found
    if _past(extras.deadline_at):
        raise DeadlinePassed(f"generation {generation_id} is past its deadline")
    longest = ai_settings().input_longest_edge
    photos = tuple(
        media.downscaled(inputs.photo(row.user_id, value, field=field), longest)
        for field, value in _photos(row, extras)
        if value is not None
    )
    assert row.ai_prompt_used is not None  # written with the pending row
    started = time.monotonic()
    deadline = extras.deadline_at
    request = ImageRequest(
        instruction=row.ai_prompt_used,
        images=photos,
        aspect_ratio=extras.aspect_ratio,
        image_size=extras.image_size,
        timeout_s=None if deadline is None else (deadline - utcnow_exact()).total_seconds(),
    )
    model = model_for(extras.quality)
    try:
        result = model.generate(request)
    except GeminiUnavailable:
        # Cut at the deadline (its timeout ends there, to the millisecond): a retry could not finish in time.
        if _past(deadline, within=timedelta(seconds=1)):
            raise DeadlinePassed(f"generation {generation_id} reached its deadline") from None
        raise
    elapsed_ms = int((time.monotonic() - started) * 1000)
    observability.milliseconds("GenerationLatency", elapsed_ms, mode=row.mode)
    stored = media.compact(_checked(result.image, model=result.model))
    with db.transaction() as conn:
        written = queries.write_result(conn, generation_id, stored.data_uri(), result.model, elapsed_ms)
    if not written:
        raise GenerationGone(f"generation {generation_id} was cancelled while the model worked")


def _photos(row: GenerationRow, extras: GenerationExtrasRow) -> list[tuple[str, str | None]]:
    """The generation's photos in the order its instruction names them, by the field each came in: the
    person's, then a try-on's garment or each garment of its outfit."""
    garments: list[tuple[str, str | None]] = []
    if row.mode == "tryon" and extras.garments is not None:
        garments = [
            (inputs.garment_field(i), item.photo_url) for i, item in enumerate(extras.outfit(row.item_photo_url))
        ]
    elif row.item_photo_url is not None:
        garments = [("itemPhotoUrl", row.item_photo_url)]
    return [("userPhotoUrl", row.user_photo_url), *garments]


def _checked(image: media.Image, *, model: str) -> media.Image:
    """What the model sent, once it decodes as a PNG, JPEG or WebP of at most ``media.MAX_IMAGE_PIXELS``
    pixels; its type is the one its bytes show, whatever the model's label said."""
    try:
        return media.decoded(image.data)
    except media.NotAnImage as error:
        logger.warning(
            "the image model sent back bytes that are not a usable image",
            extra={"model": model, "declared_mime": image.mime[:100], "size": len(image.data), "why": str(error)},
        )
        too_large = isinstance(error, media.TooManyPixels)
        raise GenerationRejected(IMAGE_TOO_LARGE if too_large else UNREADABLE_IMAGE) from None


def mark_completed(generation_id: UUID) -> None:
    with db.transaction() as conn:
        mode = queries.complete(conn, generation_id)
        if mode is None and queries.status_of(conn, generation_id) != "completed":
            raise GenerationGone(f"generation {generation_id} cannot complete")
    if mode is not None:
        logger.info("generation completed", extra={"generation_id": str(generation_id)})
        observability.count("GenerationsCompleted", mode=mode)


# Errors whose own message is meant for the user (they say what was wrong with the request). A model's
# rejection is shown only when it is one of our own sentences (never words a provider wrote).
_USER_FACING = {cls.__name__ for cls in (errors.InvalidInput, errors.PayloadTooLarge, errors.UnsupportedMediaType)}
_MESSAGES = {
    "GeminiThrottled": "the image service is busy right now; please try again in a minute",
    "GeminiUnavailable": "the image service is unavailable right now; please try again shortly",
    "ImageModelMisconfigured": "the image model is not available right now, so nothing was generated",
    "GenerationRejected": "the image model could not produce an image for this request",
    "States.Timeout": "the generation took too long",
    "DeadlinePassed": "the generation was not done by its deadline",
}


# The model's answers that held no image because it would not draw this (vs. could not, this time).
_SAFETY = {
    FINISH_REASONS[reason]
    for reason in ("SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_PROHIBITED_CONTENT")
} | {BLOCKED}
_NO_IMAGE = set(REJECTIONS) - _SAFETY - {REQUEST_REFUSED}
# By the error's name: its code, and whether the same request may succeed if tried again later.
_CODES: dict[str, tuple[ErrorCode, bool]] = {
    "GeminiThrottled": ("model_unavailable", True),
    "GeminiUnavailable": ("model_unavailable", True),
    "ImageModelMisconfigured": ("model_unavailable", False),
    "States.Timeout": ("timed_out", True),
    "DeadlinePassed": ("timed_out", True),
    **dict.fromkeys(_USER_FACING, ("input_unusable", False)),
}


def _name_and_detail(error: dict[str, Any] | None) -> tuple[str, str]:
    name = str((error or {}).get("Error", ""))
    cause = (error or {}).get("Cause") or ""
    try:
        return name, str(json.loads(cause).get("errorMessage", "")) if cause else ""
    except (json.JSONDecodeError, AttributeError):
        return name, ""


def classify(error: dict[str, Any] | None) -> tuple[ErrorCode, bool]:
    """The error code of a failure a ``Catch`` put in the state, and whether trying again may succeed."""
    name, detail = _name_and_detail(error)
    if name == "GenerationRejected":
        if detail in _SAFETY:
            return "safety_blocked", False
        return ("no_image", True) if detail in _NO_IMAGE else ("input_unusable", False)
    return _CODES.get(name, ("internal", True))


def describe(error: dict[str, Any] | None) -> str:
    """A message a person can read, from the error a ``Catch`` put in the state (``{Error, Cause}``)."""
    name, detail = _name_and_detail(error)
    if (name in _USER_FACING and detail) or (name == "GenerationRejected" and detail in REJECTIONS):
        message = detail
    else:
        message = _MESSAGES.get(name, "something went wrong while generating")
    return f"{message}; your tokens were refunded"


def mark_failed(generation_id: UUID, error: dict[str, Any] | None) -> None:
    """Fail the generation and refund it, once, whichever step failed and however often this runs."""
    reason = str((error or {}).get("Error", "unknown"))[:100]
    with db.transaction() as conn:
        code, retryable = classify(error)
        failed_now = queries.fail(conn, generation_id, describe(error), code, retryable=retryable)
        refund = None
        # A generation that completed keeps its charge, even if a later step's error led here.
        if queries.status_of(conn, generation_id) == "failed":
            refund = ledger.refund_generation(conn, generation_id, note=reason)
    if failed_now:
        logger.info("generation failed", extra={"generation_id": str(generation_id), "reason": reason})
        observability.count("GenerationsFailed", mode=failed_now, reason=reason)
    observability.refunded(refund, reason)
