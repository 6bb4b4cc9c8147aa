"""What ``GET /pricing`` answers: the token costs and the plans' limits."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    Field,
)

from imagify.models.common import ApiModel


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
