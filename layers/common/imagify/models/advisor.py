"""The style advisor: a question and its advice (``/advisor``)."""

from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import (
    Field,
    StringConstraints,
)

from imagify.models.common import ApiInput, ApiModel, example
from imagify.models.fields import PhotoUrl, StoredPhotoUrl, UtcDatetime, shown_photo_url
from imagify.models.rows import (
    AdvisorSessionRow,
)


class AdvisorInput(ApiInput):
    model_config = example({"message": "What should I wear to a garden wedding in June?"})

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
    def from_row(cls, row: AdvisorSessionRow, **paid: int) -> Self:
        return cls(
            id=row.id,
            user_message=row.user_message,
            ai_response=row.ai_response,
            extracted_prompt=row.extracted_prompt,
            user_photo_url=shown_photo_url(row.user_photo_url),
            created_at=row.created_at,
            **paid,
        )


class AdvisorAnswer(AdvisorSession):
    """The answer to ``POST /advisor``: the advice kept, and what it cost."""

    tokens_charged: Annotated[int, Field(description="tokens this advice cost")]
    balance_after: Annotated[int, Field(description="the caller's balance after it")]


class AdvisorGenerateInput(ApiInput):
    model_config = example({"mode": "from_prompt"})

    mode: Annotated[
        Literal["from_prompt", "photo_text"] | None,
        Field(description="the generation mode; when absent the server picks one for the session"),
    ] = None
