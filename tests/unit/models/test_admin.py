"""Administration."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from imagify.models.admin import (
    AdminStats,
    AdminTokenAdjustment,
    AdminUserPatch,
    AdminUserQuery,
    GenerationStats,
    TokenStats,
)
from imagify.models.wardrobe import SaveToWardrobeInput


def test_an_admin_user_patch_needs_a_role_or_a_plan_and_neither_may_be_null():
    assert AdminUserPatch.model_validate({"plan": "pro"}).changes() == {"plan": "pro"}
    for body in ({"role": None}, {"role": "owner"}, {"plan": "enterprise"}):
        with pytest.raises(ValidationError):
            AdminUserPatch.model_validate(body)


@pytest.mark.parametrize(
    ("delta", "accepted"),
    [(1, True), (-1, True), (1_000_000, True), (-1_000_000, True), (0, False), (1_000_001, False), ("5", False)],
)
def test_a_token_adjustment_is_nonzero_and_at_most_a_million(delta, accepted):
    body = {"delta": delta, "note": "goodwill"}
    if accepted:
        assert AdminTokenAdjustment.model_validate(body).delta == delta
    else:
        with pytest.raises(ValidationError):
            AdminTokenAdjustment.model_validate(body)


def test_a_token_adjustment_note_is_1_to_500_characters():
    with pytest.raises(ValidationError):
        AdminTokenAdjustment.model_validate({"delta": 5, "note": " "})
    with pytest.raises(ValidationError):
        AdminTokenAdjustment.model_validate({"delta": 5, "note": "n" * 501})


def test_admin_stats_are_camel_case_and_keep_the_enum_keys():
    stats = AdminStats(
        users=3,
        generations=GenerationStats(by_status={"completed": 4, "failed": 1}, by_mode={"from_prompt": 5}),
        tokens=TokenStats(spent=20, refunded=3),
    )
    assert stats.model_dump(mode="json") == {
        "users": 3,
        "generations": {"byStatus": {"completed": 4, "failed": 1}, "byMode": {"from_prompt": 5}},
        "tokens": {"spent": 20, "refunded": 3},
    }


def test_an_admin_user_query_treats_a_blank_search_as_none():
    assert AdminUserQuery.model_validate({"q": "   "}).q is None
    assert AdminUserQuery.model_validate({"q": " ada "}).q == "ada"
    assert AdminUserQuery.model_validate({}).limit == 20
    with pytest.raises(ValidationError):
        AdminUserQuery.model_validate({"q": "q" * 256})


def test_ids_are_uuids():
    with pytest.raises(ValidationError):
        SaveToWardrobeInput.model_validate({"collectionId": "42"})
    assert isinstance(SaveToWardrobeInput.model_validate({"collectionId": str(uuid4())}).collection_id, UUID)
