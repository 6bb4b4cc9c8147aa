"""Generations: what is asked for, and what a generation shows (``/generations``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import (
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from imagify.models.common import ApiInput, ApiModel, Cursor, Limit
from imagify.models.fields import PhotoUrl, StoredPhotoUrl, UtcDatetime, shown_photo_url
from imagify.models.rows import (
    ErrorCode,
    GenerationExtrasRow,
    GenerationMode,
    GenerationRow,
    GenerationStatus,
    GenerationSummaryRow,
)

# The ratios and sizes Gemini's image models take (``generationConfig.imageConfig``).
AspectRatio = Literal["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]
ImageSize = Literal["1K", "2K", "4K"]
Quality = Annotated[
    Literal["standard", "high"],
    Field(description="`standard` runs the Flash image model, `high` the Pro model (it costs more: see /pricing)"),
]
Prompt = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    Field(description="what to generate, 1 to 2000 characters after trimming"),
]


class GenerationOptions(ApiInput):
    aspect_ratio: Annotated[AspectRatio | None, Field(description="the result's aspect ratio")] = None
    image_size: Annotated[
        ImageSize | None,
        Field(description="the result's size (its longer edge about 1024, 2048 or 4096 px); larger costs more"),
    ] = None
    style: Annotated[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None,
        Field(description="a style hint, at most 100 characters"),
    ] = None


# What each mode needs, and what it does not take (Python names).
_MODE_NEEDS: dict[GenerationMode, tuple[str, ...]] = {
    "tryon": ("user_photo_url", "item_photo_url"),
    "from_prompt": ("prompt",),
    "photo_text": ("user_photo_url", "prompt"),
}
_MODE_REFUSES: dict[GenerationMode, tuple[str, ...]] = {
    "tryon": (),
    "from_prompt": ("user_photo_url", "item_photo_url"),
    "photo_text": ("item_photo_url",),
}


class GenerationInput(ApiInput):
    """A generation request. `tryon` needs `userPhotoUrl` and `itemPhotoUrl` (`prompt` optional);
    `from_prompt` needs `prompt` and takes no photo; `photo_text` needs `userPhotoUrl` and `prompt` and
    takes no `itemPhotoUrl`."""

    mode: GenerationMode
    prompt: Prompt | None = None
    user_photo_url: Annotated[PhotoUrl | None, Field(description="the person's photo")] = None
    item_photo_url: Annotated[PhotoUrl | None, Field(description="the garment's photo (tryon)")] = None
    options: GenerationOptions | None = None
    quality: Quality = "standard"
    deadline_seconds: Annotated[
        int | None,
        Field(
            ge=10,
            le=600,
            description="if it is not completed this many seconds after it was asked for, it is cancelled, "
            "refunded and failed with `errorCode: timed_out`",
        ),
    ] = None

    @model_validator(mode="after")
    def _fits_mode(self) -> Self:
        missing = [to_camel(name) for name in _MODE_NEEDS[self.mode] if getattr(self, name) is None]
        refused = [to_camel(name) for name in _MODE_REFUSES[self.mode] if getattr(self, name) is not None]
        problems = []
        if missing:
            problems.append(f"needs {', '.join(missing)}")
        if refused:
            problems.append(f"does not take {', '.join(refused)}")
        if problems:
            raise PydanticCustomError(
                "mode_fields",
                "mode {mode} " + " and ".join(problems),
                {"mode": self.mode, "missing": missing, "refused": refused},
            )
        return self


class RerunInput(ApiInput):
    """What a rerun changes: the quality and any option given replace the original's; the rest is as it was."""

    quality: Annotated[
        Literal["standard", "high"] | None, Field(description="another quality tier; the original's when absent")
    ] = None
    options: GenerationOptions | None = None


class _GenerationFields(ApiModel):
    id: UUID
    user_id: UUID
    mode: GenerationMode
    status: GenerationStatus
    prompt: Annotated[str | None, Field(description="the prompt as sent")]
    user_photo_url: StoredPhotoUrl
    item_photo_url: StoredPhotoUrl
    ai_prompt_used: Annotated[str | None, Field(description="the prompt the image model was given")]
    model_used: Annotated[str | None, Field(description="the image model that ran")]
    generation_time_ms: Annotated[int | None, Field(description="how long the model took, in milliseconds")]
    error_message: Annotated[str | None, Field(description="why it failed, when `status` is `failed`")]
    saved_to_wardrobe: bool
    tokens_charged: Annotated[int, Field(description="tokens charged for this generation (0 once refunded)")]
    quality: Quality
    aspect_ratio: Annotated[AspectRatio | None, Field(description="the aspect ratio asked for, if any")]
    image_size: Annotated[ImageSize | None, Field(description="the size asked for, if any")]
    error_code: Annotated[
        ErrorCode | None,
        Field(
            description="why it failed, when `status` is `failed`: `input_unusable` (a photo or the request cannot "
            "be used: change it), `safety_blocked` (the model will not draw this), `no_image` (the model gave no "
            "usable image this time), `model_unavailable` (the model is busy or down), `timed_out`, `cancelled`, "
            "`internal`"
        ),
    ]
    retryable: Annotated[
        bool | None, Field(description="when `status` is `failed`: whether the same request may succeed later")
    ]
    deadline_at: Annotated[UtcDatetime | None, Field(description="when it must be completed by, if it has a deadline")]
    created_at: UtcDatetime

    @staticmethod
    def _row_fields(row: GenerationSummaryRow, extras: GenerationExtrasRow) -> dict[str, Any]:
        failed = row.status == "failed"
        # A generation another writer failed has no failure row: it reads as ours would, `internal`.
        code = (extras.error_code or "internal") if failed else None
        return {
            "id": row.id,
            "user_id": row.user_id,
            "mode": row.mode,
            "status": row.status,
            "prompt": row.prompt,
            "user_photo_url": shown_photo_url(row.user_photo_url),
            "item_photo_url": shown_photo_url(row.item_photo_url),
            "ai_prompt_used": row.ai_prompt_used,
            "model_used": row.model_used,
            "generation_time_ms": row.generation_time_ms,
            "error_message": row.error_message,
            "saved_to_wardrobe": row.saved_to_wardrobe,
            "tokens_charged": extras.tokens_charged,
            "quality": extras.quality,
            "aspect_ratio": extras.aspect_ratio,
            "image_size": extras.image_size,
            "deadline_at": extras.deadline_at,
            "error_code": code,
            "retryable": (True if extras.retryable is None else extras.retryable) if failed else None,
            "created_at": row.created_at,
        }


class GenerationSummary(_GenerationFields):
    """A generation in a list: everything but the result image."""

    @classmethod
    def from_row(cls, row: GenerationSummaryRow, extras: GenerationExtrasRow) -> Self:
        return cls(**cls._row_fields(row, extras))


class Generation(_GenerationFields):
    """A generation, with its result image."""

    result_image_base64: Annotated[
        str | None, Field(description="the result as a base64 data URI, once `status` is `completed`")
    ]

    @classmethod
    def from_row(cls, row: GenerationRow, extras: GenerationExtrasRow) -> Self:
        return cls(**cls._row_fields(row, extras), result_image_base64=row.result_image_base64)


class GenerationStarted(Generation):
    """The answer to the request that started a generation: it, and the caller's balance after its charge."""

    balance_after: Annotated[int, Field(description="the caller's balance after this generation's charge")]

    @classmethod
    def started(cls, row: GenerationRow, extras: GenerationExtrasRow, *, balance_after: int) -> Self:
        return cls(
            **cls._row_fields(row, extras), result_image_base64=row.result_image_base64, balance_after=balance_after
        )


class GenerationListQuery(ApiInput):
    mode: GenerationMode | None = None
    status: GenerationStatus | None = None
    saved_to_wardrobe: Annotated[bool | None, Field(description="only saved (true) or unsaved (false)")] = None
    limit: Limit = 20
    cursor: Cursor = None
