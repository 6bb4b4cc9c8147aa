"""Row models: what a table of ``migrations/0001_seed_schema.sql`` holds, one model per table.

Field names are the column names and types follow the SQL types, so a psycopg dict row validates as is
(``UserRow.model_validate(row)``). Timestamps are ``timestamp without time zone`` columns holding UTC,
so they are naive datetimes here. Rows are frozen and reject unknown keys: a query must select exactly
the columns of the model it builds, which the ``*_COLUMNS`` tuples below spell out.

Large columns (a generation's result image, a wardrobe item's image, a collection's cover) are left out
of list queries: ``*_LIST_COLUMNS`` select the rest, validated by the ``*SummaryRow`` models; the full
row models extend them with the large column.
"""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, NaiveDatetime

GenerationMode = Literal["tryon", "from_prompt", "photo_text"]
"""The ``generation_mode`` enum."""

GenerationStatus = Literal["pending", "processing", "completed", "failed"]
"""The ``generation_status`` enum."""

Role = Literal["user", "admin"]
"""``users.role`` (a varchar(20); the backend is its only writer)."""

Plan = Literal["free", "pro"]
"""``users.plan`` (a varchar(20); the backend is its only writer)."""

Varchar20 = Annotated[str, Field(max_length=20)]
Varchar50 = Annotated[str, Field(max_length=50)]
Varchar100 = Annotated[str, Field(max_length=100)]
Varchar255 = Annotated[str, Field(max_length=255)]


class Row(BaseModel):
    """A database row: immutable, exactly the selected columns, buildable from a dict or an object.
    Built on first use (``defer_build``), like the API models."""

    model_config = ConfigDict(frozen=True, extra="forbid", from_attributes=True, defer_build=True)


# --- users -------------------------------------------------------------------------------------------

USER_COLUMNS: tuple[str, ...] = (
    "id",
    "email",
    "name",
    "password_hash",
    "image",
    "role",
    "plan",
    "tokens",
    "email_verified",
    "created_at",
    "updated_at",
)


class UserRow(Row):
    id: UUID
    email: Varchar255
    name: Varchar255 | None
    password_hash: str | None
    image: str | None
    role: Role
    plan: Plan
    tokens: int
    email_verified: NaiveDatetime | None
    created_at: NaiveDatetime
    updated_at: NaiveDatetime | None


# --- accounts ----------------------------------------------------------------------------------------

ACCOUNT_COLUMNS: tuple[str, ...] = (
    "id",
    "user_id",
    "type",
    "provider",
    "provider_account_id",
    "refresh_token",
    "access_token",
    "expires_at",
    "token_type",
    "scope",
    "id_token",
    "created_at",
)


class AccountRow(Row):
    id: UUID
    user_id: UUID
    type: Varchar50
    provider: Varchar50
    provider_account_id: Varchar255
    refresh_token: str | None
    access_token: str | None
    expires_at: int | None
    token_type: Varchar50 | None
    scope: str | None
    id_token: str | None
    created_at: NaiveDatetime


# --- sessions ----------------------------------------------------------------------------------------

SESSION_COLUMNS: tuple[str, ...] = ("id", "session_token", "user_id", "expires")


class SessionRow(Row):
    id: UUID
    session_token: str
    user_id: UUID
    expires: NaiveDatetime


# --- generations -------------------------------------------------------------------------------------

GENERATION_LIST_COLUMNS: tuple[str, ...] = (
    "id",
    "user_id",
    "mode",
    "status",
    "prompt",
    "user_photo_url",
    "item_photo_url",
    "ai_prompt_used",
    "model_used",
    "generation_time_ms",
    "error_message",
    "saved_to_wardrobe",
    "created_at",
)
GENERATION_COLUMNS: tuple[str, ...] = (*GENERATION_LIST_COLUMNS, "result_image_base64")


class GenerationSummaryRow(Row):
    """A ``generations`` row without ``result_image_base64`` (selected by ``GENERATION_LIST_COLUMNS``)."""

    id: UUID
    user_id: UUID
    mode: GenerationMode
    status: GenerationStatus
    prompt: str | None
    user_photo_url: str | None
    item_photo_url: str | None
    ai_prompt_used: str | None
    model_used: Varchar100 | None
    generation_time_ms: int | None
    error_message: str | None
    saved_to_wardrobe: bool
    created_at: NaiveDatetime


class GenerationRow(GenerationSummaryRow):
    """A whole ``generations`` row (selected by ``GENERATION_COLUMNS``)."""

    result_image_base64: str | None


# Why a generation failed, for a frontend to act on (``generation_failures.error_code``).
ErrorCode = Literal[
    "input_unusable", "safety_blocked", "no_image", "model_unavailable", "timed_out", "cancelled", "internal"
]


GarmentCategory = Literal["top", "bottom", "one-piece", "outerwear", "shoes", "accessory"]
GarmentPhotoType = Literal["flat-lay", "on-model", "auto"]


class GarmentRow(Row):
    """One garment of a try-on's outfit, as ``generation_options.garments`` keeps it (a JSON array in the order
    given). The first garment's photo is the seed's ``item_photo_url``, so its ``photo_url`` here is null."""

    photo_url: str | None = None
    category: GarmentCategory | None = None
    photo_type: GarmentPhotoType | None = None


class GenerationExtrasRow(Row):
    """What the backend keeps of a generation beside the seed's row: its net charge (from the ledger), what it
    was asked for (``generation_options``) and why it failed (``generation_failures``). A generation another
    writer made has no options row (the standard tier at the model's defaults), and one it failed no failure
    row."""

    tokens_charged: int
    quality: Literal["standard", "high"] = "standard"
    aspect_ratio: str | None = None
    image_size: Literal["1K", "2K", "4K"] | None = None
    style: str | None = None
    deadline_at: NaiveDatetime | None = None
    garments: tuple[GarmentRow, ...] | None = None
    batch_id: UUID | None = None
    error_code: ErrorCode | None = None
    retryable: bool | None = None

    def outfit(self, item_photo_url: str | None) -> list[GarmentRow]:
        """A try-on's garments, each with its photo (the first's is the row's ``item_photo_url``); one made
        without ``garments`` (one garment, or by another writer) wore the one in ``item_photo_url``."""
        kept = self.garments or (GarmentRow(),)
        return [kept[0].model_copy(update={"photo_url": item_photo_url}), *kept[1:]]


# --- wardrobe_items ----------------------------------------------------------------------------------

WARDROBE_ITEM_LIST_COLUMNS: tuple[str, ...] = (
    "id",
    "user_id",
    "generation_id",
    "title",
    "description",
    "collection_id",
    "tags",
    "created_at",
    "updated_at",
)
WARDROBE_ITEM_COLUMNS: tuple[str, ...] = (*WARDROBE_ITEM_LIST_COLUMNS, "image_base64")


class WardrobeItemSummaryRow(Row):
    """A ``wardrobe_items`` row without ``image_base64`` (selected by ``WARDROBE_ITEM_LIST_COLUMNS``)."""

    id: UUID
    user_id: UUID
    generation_id: UUID | None
    title: Varchar255 | None
    description: str | None
    collection_id: UUID | None
    tags: list[str] | None
    created_at: NaiveDatetime
    updated_at: NaiveDatetime | None


class WardrobeItemRow(WardrobeItemSummaryRow):
    """A whole ``wardrobe_items`` row (selected by ``WARDROBE_ITEM_COLUMNS``)."""

    image_base64: str


# --- wardrobe_collections ----------------------------------------------------------------------------

WARDROBE_COLLECTION_LIST_COLUMNS: tuple[str, ...] = ("id", "user_id", "name", "item_count", "created_at")
WARDROBE_COLLECTION_COLUMNS: tuple[str, ...] = (*WARDROBE_COLLECTION_LIST_COLUMNS, "cover_image_base64")


class WardrobeCollectionSummaryRow(Row):
    """A ``wardrobe_collections`` row without ``cover_image_base64``."""

    id: UUID
    user_id: UUID
    name: Varchar255
    item_count: int
    created_at: NaiveDatetime


class WardrobeCollectionRow(WardrobeCollectionSummaryRow):
    """A whole ``wardrobe_collections`` row (selected by ``WARDROBE_COLLECTION_COLUMNS``)."""

    cover_image_base64: str | None


# --- advisor_sessions --------------------------------------------------------------------------------

ADVISOR_SESSION_COLUMNS: tuple[str, ...] = (
    "id",
    "user_id",
    "user_photo_url",
    "user_message",
    "ai_response",
    "extracted_prompt",
    "created_at",
)


class AdvisorSessionRow(Row):
    id: UUID
    user_id: UUID
    user_photo_url: str | None
    user_message: str
    ai_response: str
    extracted_prompt: str | None
    created_at: NaiveDatetime


# --- verification_tokens -----------------------------------------------------------------------------

VERIFICATION_TOKEN_COLUMNS: tuple[str, ...] = ("identifier", "token", "expires")


class VerificationTokenRow(Row):
    identifier: str
    token: str
    expires: NaiveDatetime
