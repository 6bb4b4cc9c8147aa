"""The advisor's questions and sessions."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from imagify.models import rows
from imagify.models.advisor import AdvisorGenerateInput, AdvisorInput, AdvisorSession
from tests.unit.models.support import CREATED, PNG


def test_an_advisor_message_is_1_to_4000_characters():
    assert AdvisorInput.model_validate({"message": " What goes with navy? "}).message == "What goes with navy?"
    for message in ("  ", "m" * 4001):
        with pytest.raises(ValidationError):
            AdvisorInput.model_validate({"message": message})


def test_an_advisor_session_is_camel_case_and_hides_an_inline_photo():
    row = rows.AdvisorSessionRow.model_validate(
        {
            "id": uuid4(),
            "user_id": uuid4(),
            "user_photo_url": PNG,
            "user_message": "What goes with navy?",
            "ai_response": "Camel.",
            "extracted_prompt": "a navy blazer with camel trousers",
            "created_at": CREATED,
        }
    )
    body = AdvisorSession.from_row(row).model_dump(mode="json")
    assert set(body) == {
        "id",
        "userMessage",
        "aiResponse",
        "extractedPrompt",
        "userPhotoUrl",
        "createdAt",
    }
    assert body["userPhotoUrl"] is None


def test_advisor_generate_takes_only_the_modes_without_an_item_photo():
    assert AdvisorGenerateInput.model_validate({}).mode is None
    assert AdvisorGenerateInput.model_validate({"mode": "photo_text"}).mode == "photo_text"
    with pytest.raises(ValidationError):
        AdvisorGenerateInput.model_validate({"mode": "tryon"})
