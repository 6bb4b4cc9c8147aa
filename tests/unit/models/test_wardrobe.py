"""Wardrobe items and collections."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from imagify.models import rows
from imagify.models.wardrobe import (
    Collection,
    CollectionInput,
    CollectionPatch,
    CollectionWithCover,
    SaveToWardrobeInput,
    WardrobeItem,
    WardrobeItemInput,
    WardrobeItemPatch,
    WardrobeItemSummary,
)
from tests.unit.models.support import PNG, collection_row, error_types, only, wardrobe_item_row


def test_tags_are_trimmed_lower_cased_and_deduplicated_in_order():
    # Given tags typed by a person
    body = SaveToWardrobeInput.model_validate({"tags": [" Summer", "linen ", "SUMMER", "Blue", "linen"]})

    # Then they are stored normalised, first occurrence kept
    assert body.tags == ["summer", "linen", "blue"]


@pytest.mark.parametrize(
    ("tags", "accepted"),
    [
        ([], True),
        (["t" * 40], True),
        (["t" * 41], False),
        ([" "], False),
        ([""], False),
        ([f"tag{i}" for i in range(20)], True),
        ([f"tag{i}" for i in range(21)], False),
        ("summer", False),
        ([1], False),
    ],
)
def test_tags_are_at_most_20_of_1_to_40_characters(tags, accepted):
    body = {"imageBase64": PNG, "tags": tags}
    if accepted:
        assert WardrobeItemInput.model_validate(body).tags == tags
    else:
        with pytest.raises(ValidationError):
            WardrobeItemInput.model_validate(body)


def test_save_to_wardrobe_takes_optional_fields():
    collection = uuid4()
    body = SaveToWardrobeInput.model_validate({"title": " Shirt ", "collectionId": str(collection)})
    assert (body.title, body.collection_id, body.tags) == ("Shirt", collection, None)
    for bad in ({"title": "t" * 256}, {"description": "d" * 5001}, {"collectionId": "not-a-uuid"}):
        with pytest.raises(ValidationError):
            SaveToWardrobeInput.model_validate(bad)


@pytest.mark.parametrize(
    ("image", "accepted"),
    [
        (PNG, True),
        ("data:image/jpeg;base64,/9j/4AAQSkZJRg==", True),
        ("data:image/webp;base64,UklGRg==", True),
        ("data:image/gif;base64,R0lGODlh", True),  # well-formed: the domain answers 415 for the type
        ("data:image/png,rawbytes", False),
        ("data:image/png;base64,not base64!", False),
        ("https://cdn.example.com/a.png", False),
        ("data:image/png;base64," + "A" * 7_000_000, False),
    ],
)
def test_a_wardrobe_image_is_a_base64_data_uri(image, accepted):
    if accepted:
        assert WardrobeItemInput.model_validate({"imageBase64": image}).image_base64 == image
    else:
        with pytest.raises(ValidationError):
            WardrobeItemInput.model_validate({"imageBase64": image})


def test_a_wardrobe_patch_tells_absent_from_null():
    # Given a patch that takes the item out of its collection, and one that only retitles it
    remove = WardrobeItemPatch.model_validate({"collectionId": None})
    retitle = WardrobeItemPatch.model_validate({"title": "New"})

    # Then the first sets collection_id to null and the second leaves it alone
    assert remove.model_fields_set == {"collection_id"}
    assert remove.changes() == {"collection_id": None}
    assert "collection_id" not in retitle.model_fields_set
    assert retitle.changes() == {"title": "New"}


def test_a_wardrobe_patch_lists_its_changes_in_field_order_with_column_names():
    collection = uuid4()
    patch = WardrobeItemPatch.model_validate(
        {"tags": ["A", "a"], "collectionId": str(collection), "description": None, "title": "T"}
    )
    assert list(patch.changes().items()) == [
        ("title", "T"),
        ("description", None),
        ("collection_id", collection),
        ("tags", ["a"]),
    ]


def test_a_wardrobe_patch_may_not_null_the_tags():
    # Given a patch with tags set to null
    # When it is validated
    with pytest.raises(ValidationError) as caught:
        WardrobeItemPatch.model_validate({"tags": None})

    # Then it is refused; an empty list clears them instead
    assert error_types(caught.value) == [(("tags",), "not_nullable")]
    assert WardrobeItemPatch.model_validate({"tags": []}).changes() == {"tags": []}


def test_a_wardrobe_item_detail_carries_the_image_and_a_list_item_does_not():
    # Given an item row whose tags column is NULL
    row = wardrobe_item_row(tags=None, updated_at=datetime(2025, 3, 5))

    # When it is shown whole and in a list
    detail = WardrobeItem.model_validate(rows.WardrobeItemRow.model_validate(row)).model_dump(mode="json")
    item = WardrobeItemSummary.model_validate(
        rows.WardrobeItemSummaryRow.model_validate(only(row, rows.WARDROBE_ITEM_LIST_COLUMNS))
    ).model_dump(mode="json")

    # Then only the detail has the image
    assert detail["imageBase64"] == PNG
    assert "imageBase64" not in item
    assert set(item) == {
        "id",
        "userId",
        "generationId",
        "title",
        "description",
        "collectionId",
        "tags",
        "createdAt",
        "updatedAt",
    }
    # And NULL tags are shown as an empty list
    assert item["tags"] == []
    assert item["updatedAt"] == "2025-03-05T00:00:00.000Z"


def test_a_collection_shows_its_cover_only_when_asked_for():
    # Given a collection row
    row = collection_row()

    # When it is shown without and with the cover
    plain = Collection.model_validate(
        rows.WardrobeCollectionSummaryRow.model_validate(only(row, rows.WARDROBE_COLLECTION_LIST_COLUMNS))
    ).model_dump(mode="json")
    covered = CollectionWithCover.model_validate(rows.WardrobeCollectionRow.model_validate(row)).model_dump(mode="json")

    # Then the cover key is absent unless requested, and the owner is never shown
    assert set(plain) == {"id", "name", "itemCount", "createdAt"}
    assert covered["coverImageBase64"] == PNG
    assert set(covered) - set(plain) == {"coverImageBase64"}


def test_a_collection_name_is_trimmed_and_may_not_be_nulled():
    assert CollectionInput.model_validate({"name": "  Summer  "}).name == "Summer"
    with pytest.raises(ValidationError):
        CollectionInput.model_validate({"name": "  "})
    with pytest.raises(ValidationError):
        CollectionInput.model_validate({"name": "Summer", "coverImageBase64": "https://x.io/a.png"})
    with pytest.raises(ValidationError) as caught:
        CollectionPatch.model_validate({"name": None})
    assert error_types(caught.value) == [(("name",), "not_nullable")]
    assert CollectionPatch.model_validate({"coverImageBase64": None}).changes() == {"cover_image_base64": None}
