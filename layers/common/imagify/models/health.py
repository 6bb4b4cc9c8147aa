"""What ``GET /health`` answers."""

from typing import Annotated, Literal

from pydantic import (
    Field,
)

from imagify.models.common import ApiModel


class MigrationCounts(ApiModel):
    applied: Annotated[int, Field(ge=0)]
    pending: Annotated[int, Field(ge=0)]


class Health(ApiModel):
    status: Annotated[Literal["ok", "degraded"], Field(description="`ok` when the database is reachable")]
    database: Literal["ok", "unreachable"]
    migrations: MigrationCounts | None
    version: str
