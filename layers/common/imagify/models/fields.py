"""The field types the API models share: how ids, emails, names, images and URLs are checked and shown."""

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Self

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

from imagify.models.common import ApiInput


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
WebhookUrl = Annotated[
    str,
    Field(
        min_length=8,
        max_length=2048,
        pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$",
        description="an https URL whose host resolves to public addresses only (checked when registered and at "
        "every delivery); the local stack also takes plain http to a loopback address. Redirects are not followed.",
        examples=["https://example.com/hooks/imagify"],
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
# A 1x1 PNG, the smallest image to show in an example.
EXAMPLE_IMAGE = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
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


def shown_photo_url(stored: str | None) -> str | None:
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
