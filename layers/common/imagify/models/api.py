"""The API shapes of the HTTP contract (camelCase on the wire)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from imagify.models.common import ApiModel


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
