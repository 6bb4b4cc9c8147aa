"""The shapes every endpoint shares: the camelCase base, the error body and the list envelope."""

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError


class ApiModel(BaseModel):
    """A response body: camelCase on the wire, built from Python names.

    ``defer_build``: a model's validator and serializer are built when it is first used, not when the
    module is imported, so a function pays at cold start only for the few models it uses (every function
    imports all ~50 API models; building them all took ~30 ms of each cold start, see docs/performance.md).
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        defer_build=True,
        from_attributes=True,  # ``User.model_validate(row)`` takes a row model as it takes a dict
    )


def storable(value: Any) -> bool:
    """False for text Postgres cannot store: a NUL character, or a lone surrogate (JSON's ``\\udxxx``)."""
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(storable(k) and storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(storable(v) for v in value)
    return True


def example(body: dict[str, Any]) -> ConfigDict:
    """A request body's example (its wire form: camelCase), as ``model_config``: the OpenAPI document shows it,
    and each route is sent it before a SnapStart snapshot (``web.api_handler``), so it must be valid."""
    return ConfigDict(json_schema_extra={"examples": [body]})


class ApiInput(ApiModel):
    """A request body: camelCase, and unknown fields are rejected (422), as the contract says."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=False, serialize_by_alias=True, extra="forbid", defer_build=True
    )

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        if not storable(data):
            raise PydanticCustomError("invalid_text", "text may not contain NUL characters or lone surrogates")
        return data


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    loc: list[str | int] | None = None
    msg: str | None = None
    type: str | None = None


class ErrorInfo(BaseModel):
    code: Annotated[str, Field(description="stable snake_case error code", examples=["not_found"])]
    message: Annotated[str, Field(description="what went wrong, for humans")]
    details: list[dict[str, Any]] = Field(default_factory=list)


class ErrorBody(BaseModel):
    """``{"error": {"code", "message", "details"}}``, the body of every 4xx and 5xx answer."""

    error: ErrorInfo


ItemT = TypeVar("ItemT")

Limit = Annotated[int, Field(ge=1, le=100, description="page size, 1..100")]
Cursor = Annotated[str | None, Field(max_length=512, description="opaque cursor from `nextCursor`")]


class Page(ApiModel, Generic[ItemT]):
    """A page of a keyset-paginated list, newest first."""

    items: list[ItemT]
    next_cursor: Annotated[str | None, Field(description="pass as `cursor` for the next page")] = None
