"""What ``GET /pricing`` answers: the token costs and the plans' limits."""

from typing import Annotated

from pydantic import Field

from imagify.models.common import ApiModel


class GenerationCosts(ApiModel):
    tryon: int
    from_prompt: Annotated[int, Field(serialization_alias="from_prompt", validation_alias="from_prompt")]
    photo_text: Annotated[int, Field(serialization_alias="photo_text", validation_alias="photo_text")]


class QualityTier(ApiModel):
    costs: Annotated[GenerationCosts, Field(description="tokens per generation at this tier, by mode, at 1K")]
    image_sizes: Annotated[list[str], Field(description="the sizes this tier takes")]


class Qualities(ApiModel):
    standard: QualityTier
    high: QualityTier


class ImageSizeExtras(ApiModel):
    """What each size adds to a generation's cost."""

    one_k: Annotated[int, Field(serialization_alias="1K", validation_alias="1K")]
    two_k: Annotated[int, Field(serialization_alias="2K", validation_alias="2K")]
    four_k: Annotated[int, Field(serialization_alias="4K", validation_alias="4K")]


class PlanInfo(ApiModel):
    max_in_flight: Annotated[int, Field(description="generations that may be pending or processing at once")]


class Plans(ApiModel):
    free: PlanInfo
    pro: PlanInfo


class Pricing(ApiModel):
    generation_costs: Annotated[GenerationCosts, Field(description="tokens per generation, by mode (standard, 1K)")]
    qualities: Annotated[Qualities, Field(description="each quality tier's costs and sizes")]
    image_size_extras: Annotated[ImageSizeExtras, Field(description="what a size adds to a tier's cost")]
    advisor_cost: int
    plans: Plans
    signup_tokens: int
    admin_tokens: int
