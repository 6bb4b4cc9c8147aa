"""Generations: what is asked for, and what a generation shows (``/generations``)."""

from typing import Annotated, Any, Literal, Protocol, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from imagify.models.common import ApiInput, ApiModel, Cursor, Limit, example
from imagify.models.fields import PhotoUrl, StoredPhotoUrl, UtcDatetime, WebhookUrl, shown_photo_url
from imagify.models.rows import (
    ErrorCode,
    GarmentCategory,
    GarmentPhotoType,
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


MAX_GARMENTS = 3
MAX_LOOKS = 4


class GarmentInput(ApiInput):
    """One garment of an outfit: its photo, checked like any photo, and what it is."""

    photo_url: Annotated[PhotoUrl, Field(description="the garment's photo")]
    category: Annotated[
        GarmentCategory | None, Field(description="what it is, so the model knows where it goes (it guesses if absent)")
    ] = None
    photo_type: Annotated[
        GarmentPhotoType | None,
        Field(
            description="`flat-lay` (the garment alone), `on-model` (worn by someone else: only the garment is taken)"
        ),
    ] = None


# Categories worn once (a second would replace the first), and the one-piece that stands for a top and bottom.
_WORN_ONCE = ("top", "bottom", "one-piece", "shoes")


def _wearable(garments: list[GarmentInput]) -> list[GarmentInput]:
    categories = [garment.category for garment in garments if garment.category is not None]
    twice = sorted({category for category in categories if category in _WORN_ONCE and categories.count(category) > 1})
    if twice:
        raise PydanticCustomError(
            "outfit", "an outfit takes one {category} at most", {"category": twice[0], "categories": categories}
        )
    if "one-piece" in categories and ("top" in categories or "bottom" in categories):
        raise PydanticCustomError(
            "outfit", "a one-piece is worn instead of a top and a bottom, not with them", {"categories": categories}
        )
    return garments


Garments = Annotated[
    list[GarmentInput],
    Field(
        min_length=1,
        max_length=MAX_GARMENTS,
        description=f"a whole outfit for `tryon`, 1 to {MAX_GARMENTS} garments (instead of `itemPhotoUrl`); the "
        "first is kept as the row's `item_photo_url`",
    ),
    AfterValidator(_wearable),
]

# What each mode needs, and what it does not take (Python names; a tuple needs one of its fields).
_MODE_NEEDS: dict[GenerationMode, tuple[str | tuple[str, ...], ...]] = {
    "tryon": ("user_photo_url", ("item_photo_url", "garments")),
    "from_prompt": ("prompt",),
    "photo_text": ("user_photo_url", "prompt"),
}
_MODE_REFUSES: dict[GenerationMode, tuple[str, ...]] = {
    "tryon": (),
    "from_prompt": ("user_photo_url", "item_photo_url", "garments"),
    "photo_text": ("item_photo_url", "garments"),
}


def _given(model: object, names: str | tuple[str, ...]) -> bool:
    return any(getattr(model, name) is not None for name in ((names,) if isinstance(names, str) else names))


def _named(names: str | tuple[str, ...]) -> str:
    return to_camel(names) if isinstance(names, str) else " or ".join(to_camel(name) for name in names)


class GenerationInput(ApiInput):
    """A generation request. `tryon` needs `userPhotoUrl` and either `itemPhotoUrl` (one garment) or
    `garments` (an outfit of up to 3; `prompt` optional); `from_prompt` needs `prompt` and takes no photo;
    `photo_text` needs `userPhotoUrl` and `prompt` and takes no garment. `count` asks for up to 4 looks at once."""

    model_config = example(
        {
            "mode": "from_prompt",
            "prompt": "a sage green linen suit, soft studio light",
            "options": {"aspectRatio": "3:4"},
        }
    )

    mode: GenerationMode
    prompt: Prompt | None = None
    user_photo_url: Annotated[PhotoUrl | None, Field(description="the person's photo")] = None
    item_photo_url: Annotated[PhotoUrl | None, Field(description="the garment's photo (tryon)")] = None
    garments: Garments | None = None
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
    count: Annotated[
        int,
        Field(
            ge=1,
            le=MAX_LOOKS,
            description=f"how many looks to make, 1 to {MAX_LOOKS}: one generation each, charged, run and refunded "
            "on its own, grouped by `batchId`",
        ),
    ] = 1
    webhook_url: Annotated[
        WebhookUrl | None,
        Field(
            description="a URL sent `generation.completed` or `generation.failed` when each look ends (and "
            "`batch.completed` after a batch's last), signed with the account's webhook secret (create it first: "
            "`POST /webhooks/default/rotate-secret`), besides the account's registered endpoints"
        ),
    ] = None

    @model_validator(mode="after")
    def _fits_mode(self) -> Self:
        missing = [_named(names) for names in _MODE_NEEDS[self.mode] if not _given(self, names)]
        refused = [to_camel(name) for name in _MODE_REFUSES[self.mode] if _given(self, name)]
        if self.item_photo_url is not None and self.garments is not None:
            refused.append("itemPhotoUrl with garments (put every garment in garments)")
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

    model_config = example({"quality": "high"})

    quality: Annotated[
        Literal["standard", "high"] | None, Field(description="another quality tier; the original's when absent")
    ] = None
    options: GenerationOptions | None = None


class Garment(ApiModel):
    """A garment a try-on dressed the person in; the first one's photo is the row's `itemPhotoUrl`."""

    photo_url: StoredPhotoUrl
    category: GarmentCategory | None
    photo_type: GarmentPhotoType | None


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
    garments: Annotated[list[Garment] | None, Field(description="a try-on's garments, in the order given")]
    batch_id: Annotated[
        UUID | None, Field(description="the request's batch, when it asked for more than one look (`count`)")
    ]
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
            "garments": _garments(row, extras),
            "batch_id": extras.batch_id,
            "error_code": code,
            "retryable": (True if extras.retryable is None else extras.retryable) if failed else None,
            "created_at": row.created_at,
        }


def _garments(row: GenerationSummaryRow, extras: GenerationExtrasRow) -> list[Garment] | None:
    """A try-on's garments as shown (see ``GenerationExtrasRow.outfit``)."""
    if row.mode != "tryon":
        return None
    return [
        Garment(photo_url=shown_photo_url(item.photo_url), category=item.category, photo_type=item.photo_type)
        for item in extras.outfit(row.item_photo_url)
    ]


class GenerationSummary(_GenerationFields):
    """A generation in a list: everything but the result image."""

    @classmethod
    def from_row(cls, row: GenerationSummaryRow, extras: GenerationExtrasRow) -> Self:
        return cls(**cls._row_fields(row, extras))


# The largest result this answer carries inline (as a data URI): a 1K or 2K result as the row keeps it. A 4K
# one (up to 4 MiB, 5.6 MB as a data URI) would make every read of the generation that large, so it is left
# out and read from its image route, which answers up to media.MAX_STORED_BYTES within Lambda's 6 MB.
MAX_INLINE_IMAGE_CHARS = 2 * 1024 * 1024


class Generation(_GenerationFields):
    """A generation, with its result image."""

    result_image_base64: Annotated[
        str | None,
        Field(
            description="the result as a base64 data URI, once `status` is `completed`; null when it is larger than "
            f"{MAX_INLINE_IMAGE_CHARS // (1024 * 1024)} MB as a data URI (a 4K result, say): read `resultImageUrl`"
        ),
    ]
    result_image_url: Annotated[
        str | None,
        Field(description="the result's image route (`/generations/{id}/image`, bytes with an ETag), once completed"),
    ]

    @classmethod
    def from_row(cls, row: GenerationRow, extras: GenerationExtrasRow) -> Self:
        return cls(**cls._row_fields(row, extras), **cls._image_fields(row))

    @staticmethod
    def _image_fields(row: GenerationRow) -> dict[str, Any]:
        stored = row.result_image_base64 if row.status == "completed" else None
        return {
            "result_image_base64": stored if stored is not None and len(stored) <= MAX_INLINE_IMAGE_CHARS else None,
            "result_image_url": f"/generations/{row.id}/image" if stored is not None else None,
        }


class StartedLooks(Protocol):
    """What starting looks gives (``generations.service.Started``): the looks, the first one first, and the
    caller's balance after their charges."""

    @property
    def looks(self) -> list[tuple[GenerationRow, GenerationExtrasRow]]: ...

    @property
    def balance_after(self) -> int: ...


class GenerationStarted(Generation):
    """The answer to the request that started a generation: its first look, every look it started (one unless
    `count` asked for more), and the caller's balance after their charges."""

    balance_after: Annotated[int, Field(description="the caller's balance after this request's charges")]
    looks: Annotated[
        list[GenerationSummary], Field(description="every look this request started, this one first (`count` of them)")
    ]

    @classmethod
    def started(cls, started: StartedLooks) -> Self:
        row, extras = started.looks[0]
        return cls(
            **cls._row_fields(row, extras),
            **cls._image_fields(row),
            balance_after=started.balance_after,
            looks=[GenerationSummary.from_row(*look) for look in started.looks],
        )


class GenerationListQuery(ApiInput):
    mode: GenerationMode | None = None
    status: GenerationStatus | None = None
    saved_to_wardrobe: Annotated[bool | None, Field(description="only saved (true) or unsaved (false)")] = None
    batch_id: Annotated[UUID | None, Field(description="only the looks of this batch")] = None
    limit: Limit = 20
    cursor: Cursor = None
