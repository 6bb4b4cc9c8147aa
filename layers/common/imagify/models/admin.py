"""Administration: users, token adjustments and figures (``/admin``)."""

from typing import Annotated, ClassVar

from pydantic import (
    BeforeValidator,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from imagify.models.common import ApiInput, ApiModel, Cursor, Limit, example
from imagify.models.fields import PatchInput
from imagify.models.rows import (
    Plan,
    Role,
)


class AdminUserPatch(PatchInput):
    """At least one of `role` and `plan`; neither may be null."""

    model_config = example({"plan": "pro"})

    NOT_NULLABLE: ClassVar[frozenset[str]] = frozenset({"role", "plan"})

    role: Role | None = None
    plan: Plan | None = None


MAX_TOKEN_ADJUSTMENT = 1_000_000


class AdminTokenAdjustment(ApiInput):
    model_config = example({"delta": 100, "note": "goodwill for a failed batch"})

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
