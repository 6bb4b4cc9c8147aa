"""The API shapes of the HTTP contract (camelCase on the wire)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, Protocol, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError

from imagify.models.common import ApiInput, ApiModel, Cursor, Limit
from imagify.models.rows import (
    AdvisorSessionRow,
    GenerationMode,
    GenerationRow,
    GenerationStatus,
    GenerationSummaryRow,
    Plan,
    Role,
    UserRow,
    WardrobeCollectionRow,
    WardrobeCollectionSummaryRow,
    WardrobeItemRow,
    WardrobeItemSummaryRow,
)


class MigrationCounts(ApiModel):
    applied: Annotated[int, Field(ge=0)]
    pending: Annotated[int, Field(ge=0)]


class Health(ApiModel):
    status: Annotated[Literal["ok", "degraded"], Field(description="`ok` when the database is reachable")]
    database: Literal["ok", "unreachable"]
    migrations: MigrationCounts | None
    version: str


class GenerationCosts(ApiModel):
    tryon: int
    from_prompt: Annotated[int, Field(serialization_alias="from_prompt", validation_alias="from_prompt")]
    photo_text: Annotated[int, Field(serialization_alias="photo_text", validation_alias="photo_text")]


class PlanInfo(ApiModel):
    max_in_flight: Annotated[int, Field(description="generations that may be pending or processing at once")]


class Plans(ApiModel):
    free: PlanInfo
    pro: PlanInfo


class Pricing(ApiModel):
    generation_costs: Annotated[GenerationCosts, Field(description="tokens per generation, by mode")]
    advisor_cost: int
    plans: Plans
    signup_tokens: int
    admin_tokens: int


# === Shared field types ===============================================================================


def _as_naive_utc(value: datetime) -> datetime:
    """Timestamps are UTC; the database holds them naive (``timestamp without time zone``)."""
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _iso_utc(value: datetime) -> str:
    return _as_naive_utc(value).isoformat(timespec="milliseconds") + "Z"


UtcDatetime = Annotated[
    datetime,
    AfterValidator(_as_naive_utc),
    PlainSerializer(_iso_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2025-01-31T12:00:00.000Z"]}),
]
"""A UTC instant: a naive UTC datetime in Python, ISO 8601 with millisecond precision and a trailing
``Z`` on the wire (what JavaScript's ``Date.prototype.toISOString`` gives). Aware inputs are converted."""


def _normalise_email(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


# No spaces and no control characters (C0, DEL, C1): an address is shown, logged and mailed as it was typed.
EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$"

Email = Annotated[
    str,
    Field(
        max_length=255,
        pattern=EMAIL_PATTERN,
        description="an email address; surrounding spaces are removed, the case is kept and never matters",
        examples=["ada@example.com"],
    ),
    BeforeValidator(_normalise_email),
]


def _readable_by_bcrypt(value: str) -> str:
    # bcrypt (the hash the frontend's bcryptjs verifies) reads 72 bytes: a longer password is refused rather
    # than silently cut, whatever PASSWORD_SCHEME is, so a deployment can change scheme without stranding one.
    if len(value.encode()) > 72:
        raise PydanticCustomError("password_too_long", "the password must be at most 72 bytes in UTF-8")
    return value


NewPassword = Annotated[
    str,
    Field(
        min_length=8,
        max_length=72,
        repr=False,
        description="a new password: at least 8 characters and at most 72 bytes in UTF-8 (72 ASCII characters, "
        "fewer with accented letters or emoji); bcrypt reads no more, and a longer one is refused, never cut",
    ),
    AfterValidator(_readable_by_bcrypt),
]
Password = Annotated[str, Field(min_length=1, max_length=256, repr=False, description="the account's password")]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    Field(description="the display name, 1 to 255 characters after trimming"),
]
SessionToken = Annotated[
    str,
    Field(min_length=1, max_length=512, repr=False, description="the long-lived session token from sign-in"),
]
OneTimeToken = Annotated[
    str, Field(min_length=1, max_length=512, repr=False, description="the token from the email we sent")
]
HTTPS_URL_PATTERN = r"^https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#]\S*)?$"
HttpsUrl = Annotated[
    str,
    Field(
        max_length=2048,
        pattern=HTTPS_URL_PATTERN,
        description="an https URL, at most 2048 characters",
        examples=["https://example.com/avatar.png"],
    ),
]
MAX_INLINE_IMAGE_CHARS = 7_000_000
PhotoUrl = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_INLINE_IMAGE_CHARS,
        description="a photo: an upload reference, the URL this API gave for one of your uploads, or a base64 "
        "data URI (its format is checked where it is used); other URLs are never fetched",
    ),
]
# Any media type passes the schema: the bytes are checked against it, and one other than PNG, JPEG or WebP is
# a 415, as for generations' photos.
DATA_IMAGE_PATTERN = r"^data:[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+;base64,[A-Za-z0-9+/]+={0,2}$"
DataImage = Annotated[
    str,
    Field(
        max_length=MAX_INLINE_IMAGE_CHARS,
        pattern=DATA_IMAGE_PATTERN,
        description="a PNG, JPEG or WebP image as a base64 data URI (`data:image/png;base64,...`)",
    ),
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    Field(description="a title, 1 to 255 characters after trimming"),
]
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=5000),
    Field(description="a description, 1 to 5000 characters after trimming"),
]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40)]


def _without_duplicates(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


MAX_TAGS = 20
Tags = Annotated[
    list[Tag],
    Field(
        max_length=MAX_TAGS,
        description="at most 20 tags of 1 to 40 characters; stored trimmed and lower-cased, "
        "duplicates removed (first occurrence kept)",
        examples=[["summer", "linen"]],
    ),
    AfterValidator(_without_duplicates),
]


def _shown_photo_url(stored: str | None) -> str | None:
    """A stored photo reference as the API shows it: null when the photo was sent inline (a data URI)."""
    if stored is None or stored[:5].lower() == "data:":
        return None
    return stored


StoredPhotoUrl = Annotated[
    str | None,
    Field(
        description="the photo as stored: for an upload, a presigned https GET URL of it that works while the "
        "upload lives (older rows may hold the upload reference); null when none was given or when it was sent "
        "inline as a data URI"
    ),
]


class PatchInput(ApiInput):
    """A PATCH body: only the fields sent change (``model_fields_set``), and an explicit ``null`` clears
    a field, except the fields in ``NOT_NULLABLE``. An empty body is rejected: it would change nothing."""

    NOT_NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """The schema says what the validator enforces: a field in ``NOT_NULLABLE`` may be absent, not null,
        and the body needs at least one field."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        for name in cls.NOT_NULLABLE:
            prop = schema.get("properties", {}).get(to_camel(name), {})
            if "anyOf" in prop:
                prop["anyOf"] = [option for option in prop["anyOf"] if option.get("type") != "null"]
                if len(prop["anyOf"]) == 1:
                    prop.update(prop.pop("anyOf")[0])
            prop.pop("default", None)
        schema["minProperties"] = 1
        return schema

    @field_validator("*")
    @classmethod
    def _null_only_where_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.NOT_NULLABLE:
            raise PydanticCustomError("not_nullable", "this field may be left out but not set to null")
        return value

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if not self.model_fields_set:
            raise PydanticCustomError("empty_patch", "give at least one field to change")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields sent, by Python name (which is the column name), explicit nulls included."""
        return {name: getattr(self, name) for name in type(self).model_fields if name in self.model_fields_set}


# === Identity =========================================================================================


class User(ApiModel):
    """A user as the API shows it (never the password hash)."""

    id: UUID
    email: Annotated[str, Field(description="the sign-in email, as it was typed (matched regardless of case)")]
    name: Annotated[str | None, Field(description="the display name")]
    image: Annotated[str | None, Field(description="the avatar URL")]
    role: Role
    plan: Plan
    tokens: Annotated[int, Field(description="the token balance")]
    email_verified: Annotated[UtcDatetime | None, Field(description="when the email was verified; null if not")]
    created_at: UtcDatetime

    @classmethod
    def from_row(cls, row: UserRow) -> Self:
        return cls(
            id=row.id,
            email=row.email,
            name=row.name,
            image=row.image,
            role=row.role,
            plan=row.plan,
            tokens=row.tokens,
            email_verified=row.email_verified,
            created_at=row.created_at,
        )


class RegisterInput(ApiInput):
    email: Email
    password: NewPassword
    name: Name | None = None


class LoginInput(ApiInput):
    email: Email
    password: Password


class RefreshInput(ApiInput):
    session_token: SessionToken


class OAuthInput(ApiInput):
    id_token: Annotated[
        str,
        Field(min_length=1, max_length=8192, repr=False, description="the identity provider's ID token (a JWT)"),
    ]


class VerifyEmailConfirmInput(ApiInput):
    email: Email
    token: OneTimeToken


class PasswordResetRequestInput(ApiInput):
    email: Email


class PasswordResetConfirmInput(ApiInput):
    email: Email
    token: OneTimeToken
    new_password: NewPassword


class AccessTokenResult(ApiModel):
    access_token: Annotated[str, Field(description="a short-lived bearer token for `Authorization: Bearer`")]
    expires_at: Annotated[UtcDatetime, Field(description="when the access token expires")]


class _Token(Protocol):
    @property
    def token(self) -> str: ...


class _AccessToken(_Token, Protocol):
    @property
    def expires_at(self) -> datetime: ...


class _SignIn(Protocol):
    """What a sign-in gives (``imagify.identity.auth.SignedIn``), without importing the domain here."""

    @property
    def user(self) -> UserRow: ...
    @property
    def access(self) -> _AccessToken: ...
    @property
    def session(self) -> _Token: ...


class AuthResult(ApiModel):
    user: User
    access_token: Annotated[str, Field(description="a short-lived bearer token for `Authorization: Bearer`")]
    session_token: Annotated[str, Field(description="a long-lived token for `POST /auth/refresh`; keep it secret")]
    expires_at: Annotated[UtcDatetime, Field(description="when the access token expires")]

    @classmethod
    def signed_in(cls, result: _SignIn) -> Self:
        return cls(
            user=User.from_row(result.user),
            access_token=result.access.token,
            session_token=result.session.token,
            expires_at=result.access.expires_at,
        )


class UserEnvelope(ApiModel):
    user: User


# === Me ===============================================================================================


class MePatchInput(PatchInput):
    name: Annotated[Name | None, Field(description="the display name; null clears it")] = None
    image: Annotated[HttpsUrl | None, Field(description="an https avatar URL; null clears it")] = None


class MeDeleteInput(ApiInput):
    password: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=256,
            repr=False,
            description="the account's password; required when the account has one",
        ),
    ] = None


TokenKind = Annotated[
    Literal[
        "signup",
        "generation_charge",
        "generation_refund",
        "admin_adjustment",
        "role_grant",
        "advisor_charge",
        "direct_change",
    ],
    Field(description="why the balance changed; `direct_change` is a change made outside this API (the frontend)"),
]


class TokenTransaction(ApiModel):
    """One change of a user's token balance."""

    id: UUID
    delta: Annotated[int, Field(description="tokens added (positive) or taken (negative)")]
    balance_after: Annotated[int, Field(description="the balance right after this change")]
    kind: TokenKind
    generation_id: Annotated[UUID | None, Field(description="the generation charged or refunded, if any")]
    note: Annotated[str | None, Field(description="why, for admin adjustments")]
    created_at: UtcDatetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Self:
        """From a token-ledger row (a dict with the snake_case column names)."""
        return cls(
            id=row["id"],
            delta=row["delta"],
            balance_after=row["balance_after"],
            kind=row["kind"],
            generation_id=row["generation_id"],
            note=row["note"],
            created_at=row["created_at"],
        )


# === Uploads ==========================================================================================

UploadPurpose = Literal["user_photo", "item_photo"]
ImageContentType = Literal["image/png", "image/jpeg", "image/webp"]
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class UploadInput(ApiInput):
    purpose: Annotated[UploadPurpose, Field(description="what the photo is for")]
    content_type: ImageContentType
    content_length: Annotated[
        int,
        Field(strict=True, ge=1, le=MAX_UPLOAD_BYTES, description="the file's size in bytes, at most 10 MiB"),
    ]


class UploadTicket(ApiModel):
    upload_url: Annotated[str, Field(description="where to POST the file (a presigned S3 POST)")]
    fields: Annotated[dict[str, str], Field(description="form fields to send with the file, as given")]
    upload_ref: Annotated[str, Field(description="names the uploaded file in later requests")]
    expires_at: Annotated[UtcDatetime, Field(description="when the upload URL stops working")]


# === Generations ======================================================================================

AspectRatio = Literal["1:1", "3:4", "4:3", "9:16", "16:9"]
Prompt = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    Field(description="what to generate, 1 to 2000 characters after trimming"),
]


class GenerationOptions(ApiInput):
    aspect_ratio: Annotated[AspectRatio | None, Field(description="the result's aspect ratio")] = None
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
    tokens_charged: Annotated[int, Field(description="tokens charged for this generation")]
    created_at: UtcDatetime

    @staticmethod
    def _row_fields(row: GenerationSummaryRow, tokens_charged: int) -> dict[str, Any]:
        return {
            "id": row.id,
            "user_id": row.user_id,
            "mode": row.mode,
            "status": row.status,
            "prompt": row.prompt,
            "user_photo_url": _shown_photo_url(row.user_photo_url),
            "item_photo_url": _shown_photo_url(row.item_photo_url),
            "ai_prompt_used": row.ai_prompt_used,
            "model_used": row.model_used,
            "generation_time_ms": row.generation_time_ms,
            "error_message": row.error_message,
            "saved_to_wardrobe": row.saved_to_wardrobe,
            "tokens_charged": tokens_charged,
            "created_at": row.created_at,
        }


class GenerationSummary(_GenerationFields):
    """A generation in a list: everything but the result image."""

    @classmethod
    def from_row(cls, row: GenerationSummaryRow, *, tokens_charged: int) -> Self:
        return cls(**cls._row_fields(row, tokens_charged))


class Generation(_GenerationFields):
    """A generation, with its result image."""

    result_image_base64: Annotated[
        str | None, Field(description="the result as a base64 data URI, once `status` is `completed`")
    ]

    @classmethod
    def from_row(cls, row: GenerationRow, *, tokens_charged: int) -> Self:
        return cls(**cls._row_fields(row, tokens_charged), result_image_base64=row.result_image_base64)


class GenerationListQuery(ApiInput):
    mode: GenerationMode | None = None
    status: GenerationStatus | None = None
    saved_to_wardrobe: Annotated[bool | None, Field(description="only saved (true) or unsaved (false)")] = None
    limit: Limit = 20
    cursor: Cursor = None


# === Wardrobe =========================================================================================


class SaveToWardrobeInput(ApiInput):
    title: Title | None = None
    description: Description | None = None
    collection_id: Annotated[UUID | None, Field(description="a collection of the caller's")] = None
    tags: Tags | None = None


class WardrobeItemInput(ApiInput):
    image_base64: DataImage
    title: Title | None = None
    description: Description | None = None
    collection_id: Annotated[UUID | None, Field(description="a collection of the caller's")] = None
    tags: Tags | None = None


class WardrobeItemPatch(PatchInput):
    """Only the fields sent change; null clears `title`, `description` or `collectionId` (which takes
    the item out of its collection). `tags` may not be null: send `[]` to clear them."""

    NOT_NULLABLE: ClassVar[frozenset[str]] = frozenset({"tags"})

    title: Annotated[Title | None, Field(description="null clears the title")] = None
    description: Annotated[Description | None, Field(description="null clears the description")] = None
    collection_id: Annotated[UUID | None, Field(description="null takes the item out of its collection")] = None
    tags: Tags | None = None


class _WardrobeItemFields(ApiModel):
    id: UUID
    user_id: UUID
    generation_id: Annotated[UUID | None, Field(description="the generation it was saved from, if any")]
    title: str | None
    description: str | None
    collection_id: UUID | None
    tags: list[str]
    created_at: UtcDatetime
    updated_at: UtcDatetime | None

    @staticmethod
    def _row_fields(row: WardrobeItemSummaryRow) -> dict[str, Any]:
        return {
            "id": row.id,
            "user_id": row.user_id,
            "generation_id": row.generation_id,
            "title": row.title,
            "description": row.description,
            "collection_id": row.collection_id,
            "tags": list(row.tags or ()),
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }


class WardrobeItemSummary(_WardrobeItemFields):
    """A wardrobe item in a list: everything but the image."""

    @classmethod
    def from_row(cls, row: WardrobeItemSummaryRow) -> Self:
        return cls(**cls._row_fields(row))


class WardrobeItem(_WardrobeItemFields):
    """A wardrobe item with its image."""

    image_base64: Annotated[str, Field(description="the image as a base64 data URI")]

    @classmethod
    def from_row(cls, row: WardrobeItemRow) -> Self:
        return cls(**cls._row_fields(row), image_base64=row.image_base64)


CollectionName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    Field(description="the collection's name, 1 to 255 characters after trimming"),
]


class CollectionInput(ApiInput):
    name: CollectionName
    cover_image_base64: DataImage | None = None


class CollectionPatch(PatchInput):
    NOT_NULLABLE: ClassVar[frozenset[str]] = frozenset({"name"})

    name: CollectionName | None = None
    cover_image_base64: Annotated[DataImage | None, Field(description="null removes the cover")] = None


class _CollectionFields(ApiModel):
    id: UUID
    name: str
    item_count: Annotated[int, Field(description="how many wardrobe items are in it")]
    created_at: UtcDatetime

    @staticmethod
    def _row_fields(row: WardrobeCollectionSummaryRow) -> dict[str, Any]:
        return {"id": row.id, "name": row.name, "item_count": row.item_count, "created_at": row.created_at}


class Collection(_CollectionFields):
    """A wardrobe collection, without its cover image."""

    @classmethod
    def from_row(cls, row: WardrobeCollectionSummaryRow) -> Self:
        return cls(**cls._row_fields(row))


class CollectionWithCover(_CollectionFields):
    """A wardrobe collection with its cover image (when the caller asked for it)."""

    cover_image_base64: Annotated[str | None, Field(description="the cover as a base64 data URI, if set")]

    @classmethod
    def from_row(cls, row: WardrobeCollectionRow) -> Self:
        return cls(**cls._row_fields(row), cover_image_base64=row.cover_image_base64)


# === Advisor ==========================================================================================


class AdvisorInput(ApiInput):
    message: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
        Field(description="the question for the style advisor, 1 to 4000 characters after trimming"),
    ]
    user_photo_url: Annotated[PhotoUrl | None, Field(description="a photo of the person, for context")] = None


class AdvisorSession(ApiModel):
    id: UUID
    user_message: str
    ai_response: str
    extracted_prompt: Annotated[
        str | None, Field(description="a generation prompt drawn from the advice, if there is one")
    ]
    user_photo_url: StoredPhotoUrl
    created_at: UtcDatetime

    @classmethod
    def from_row(cls, row: AdvisorSessionRow) -> Self:
        return cls(
            id=row.id,
            user_message=row.user_message,
            ai_response=row.ai_response,
            extracted_prompt=row.extracted_prompt,
            user_photo_url=_shown_photo_url(row.user_photo_url),
            created_at=row.created_at,
        )


class AdvisorGenerateInput(ApiInput):
    mode: Annotated[
        Literal["from_prompt", "photo_text"] | None,
        Field(description="the generation mode; when absent the server picks one for the session"),
    ] = None


# === Admin ============================================================================================


class AdminUserPatch(PatchInput):
    """At least one of `role` and `plan`; neither may be null."""

    NOT_NULLABLE: ClassVar[frozenset[str]] = frozenset({"role", "plan"})

    role: Role | None = None
    plan: Plan | None = None


MAX_TOKEN_ADJUSTMENT = 1_000_000


class AdminTokenAdjustment(ApiInput):
    delta: Annotated[
        int,
        Field(
            strict=True,
            ge=-MAX_TOKEN_ADJUSTMENT,
            le=MAX_TOKEN_ADJUSTMENT,
            description="tokens to add (positive) or take (negative); not zero, at most 1,000,000 either way",
            json_schema_extra={"not": {"const": 0}},
        ),
    ]
    note: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
        Field(description="why, 1 to 500 characters; kept in the token history"),
    ]

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, delta: int) -> int:
        if delta == 0:
            raise PydanticCustomError("zero_delta", "delta may not be zero")
        return delta


class GenerationStats(ApiModel):
    by_status: Annotated[dict[str, int], Field(description="generations per status")]
    by_mode: Annotated[dict[str, int], Field(description="generations per mode")]


class TokenStats(ApiModel):
    spent: Annotated[int, Field(description="tokens charged, all users")]
    refunded: Annotated[int, Field(description="tokens refunded, all users")]


class AdminStats(ApiModel):
    users: Annotated[int, Field(description="how many users there are")]
    generations: GenerationStats
    tokens: TokenStats


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class AdminUserQuery(ApiInput):
    q: Annotated[
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] | None,
        Field(description="matches email or name (case-insensitive); blank means no filter"),
        BeforeValidator(_blank_to_none),
    ] = None
    limit: Limit = 20
    cursor: Cursor = None
