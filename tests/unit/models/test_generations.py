"""Generation requests and what a generation shows."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from imagify.models import rows
from imagify.models.common import Page
from imagify.models.generations import Generation, GenerationInput, GenerationListQuery, GenerationSummary
from tests.unit.models.support import PNG, generation_row, only


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "tryon", "userPhotoUrl": "https://x.io/me.png", "itemPhotoUrl": PNG},
        {"mode": "tryon", "userPhotoUrl": PNG, "itemPhotoUrl": PNG, "prompt": "tuck the shirt in"},
        {"mode": "from_prompt", "prompt": "a red linen shirt"},
        {"mode": "photo_text", "userPhotoUrl": PNG, "prompt": "me in a tuxedo"},
        {"mode": "from_prompt", "prompt": "a hat", "options": {"aspectRatio": "9:16", "style": "editorial"}},
        {"mode": "from_prompt", "prompt": "a hat", "userPhotoUrl": None},
    ],
)
def test_a_generation_request_that_fits_its_mode_is_accepted(body):
    assert GenerationInput.model_validate(body).mode == body["mode"]


@pytest.mark.parametrize(
    ("body", "missing", "refused"),
    [
        ({"mode": "tryon", "userPhotoUrl": PNG}, ["itemPhotoUrl or garments"], []),
        ({"mode": "tryon", "itemPhotoUrl": PNG, "prompt": "x"}, ["userPhotoUrl"], []),
        ({"mode": "from_prompt"}, ["prompt"], []),
        ({"mode": "from_prompt", "prompt": "x", "itemPhotoUrl": PNG}, [], ["itemPhotoUrl"]),
        ({"mode": "photo_text", "prompt": "x"}, ["userPhotoUrl"], []),
        ({"mode": "photo_text", "userPhotoUrl": PNG}, ["prompt"], []),
        ({"mode": "photo_text", "userPhotoUrl": PNG, "prompt": "x", "itemPhotoUrl": PNG}, [], ["itemPhotoUrl"]),
        ({"mode": "from_prompt", "prompt": "x", "garments": [{"photoUrl": PNG}]}, [], ["garments"]),
    ],
)
def test_a_generation_request_must_fit_its_mode(body, missing, refused):
    # Given a request missing what its mode needs, or carrying what it does not take
    # When it is validated
    with pytest.raises(ValidationError) as caught:
        GenerationInput.model_validate(body)

    # Then one error names the fields, in camelCase
    [error] = caught.value.errors()
    assert error["type"] == "mode_fields"
    assert error["ctx"]["missing"] == missing
    assert error["ctx"]["refused"] == refused
    for name in missing + refused:
        assert name in error["msg"]


def test_a_tryon_takes_an_outfit_of_up_to_3_garments_each_with_its_kind():
    outfit = [
        {"photoUrl": PNG, "category": "top", "photoType": "flat-lay"},
        {"photoUrl": PNG, "category": "bottom", "photoType": "on-model"},
        {"photoUrl": PNG},
    ]

    body = GenerationInput.model_validate({"mode": "tryon", "userPhotoUrl": PNG, "garments": outfit})

    assert [(item.category, item.photo_type) for item in body.garments or []] == [
        ("top", "flat-lay"),
        ("bottom", "on-model"),
        (None, None),
    ]
    assert body.model_dump(mode="json")["garments"][1] == {
        "photoUrl": PNG,
        "category": "bottom",
        "photoType": "on-model",
    }


@pytest.mark.parametrize(
    ("garments", "why"),
    [
        ([], "too_short"),
        ([{"photoUrl": PNG}] * 4, "too_long"),
        ([{"photoUrl": PNG, "category": "hat"}], "literal_error"),
        ([{"photoUrl": PNG, "photoType": "mannequin"}], "literal_error"),
        ([{"photoUrl": PNG, "category": "top"}, {"photoUrl": PNG, "category": "top"}], "outfit"),
        ([{"photoUrl": PNG, "category": "one-piece"}, {"photoUrl": PNG, "category": "bottom"}], "outfit"),
        ([{"photoUrl": "https://example.com/x.png"}, {"photoUrl": PNG, "url": "x"}], "extra_forbidden"),
    ],
)
def test_an_outfit_is_refused_when_it_cannot_be_worn_or_is_not_one(garments, why):
    with pytest.raises(ValidationError) as caught:
        GenerationInput.model_validate({"mode": "tryon", "userPhotoUrl": PNG, "garments": garments})
    assert why in {error["type"] for error in caught.value.errors()}


def test_an_outfit_and_a_single_garment_are_not_taken_together():
    body = {"mode": "tryon", "userPhotoUrl": PNG, "itemPhotoUrl": PNG, "garments": [{"photoUrl": PNG}]}
    with pytest.raises(ValidationError) as caught:
        GenerationInput.model_validate(body)
    assert "put every garment in garments" in caught.value.errors()[0]["msg"]


@pytest.mark.parametrize(("count", "valid"), [(None, True), (1, True), (4, True), (0, False), (5, False)])
def test_a_request_asks_for_1_to_4_looks(count, valid):
    body = {"mode": "from_prompt", "prompt": "a hat"} | ({} if count is None else {"count": count})
    if valid:
        assert GenerationInput.model_validate(body).count == (count or 1)
    else:
        with pytest.raises(ValidationError):
            GenerationInput.model_validate(body)


def test_a_result_too_large_to_answer_inline_is_left_to_its_image_route():
    # Given a completed generation whose stored result is a 4K image (over 2 MB as a data URI)
    large = "data:image/webp;base64," + "A" * (2 * 1024 * 1024)
    row = rows.GenerationRow.model_validate(generation_row(result_image_base64=large))

    # When it is shown
    shown = Generation.from_row(row, rows.GenerationExtrasRow(tokens_charged=1)).model_dump(mode="json")

    # Then the answer stays small and says where the image is
    assert shown["resultImageBase64"] is None
    assert shown["resultImageUrl"] == f"/generations/{row.id}/image"
    assert len(json.dumps(shown)) < 4096


def test_a_generation_prompt_is_trimmed_and_1_to_2000_characters():
    body = GenerationInput.model_validate({"mode": "from_prompt", "prompt": "  a hat \n"})
    assert body.prompt == "a hat"
    assert GenerationInput.model_validate({"mode": "from_prompt", "prompt": "p" * 2000}).prompt == "p" * 2000
    for prompt in ("   ", "p" * 2001):
        with pytest.raises(ValidationError):
            GenerationInput.model_validate({"mode": "from_prompt", "prompt": prompt})


@pytest.mark.parametrize(
    "options", [{"aspectRatio": "2:1"}, {"imageSize": "8K"}, {"imageSize": "1k"}, {"style": "s" * 101}, {"seed": 4}]
)
def test_generation_options_are_limited(options):
    with pytest.raises(ValidationError):
        GenerationInput.model_validate({"mode": "from_prompt", "prompt": "a hat", "options": options})


def test_a_generation_photo_may_be_long_but_not_over_7_million_characters():
    body = {"mode": "photo_text", "prompt": "x", "userPhotoUrl": "data:image/png;base64," + "A" * 6_999_000}
    assert GenerationInput.model_validate(body).user_photo_url is not None
    body["userPhotoUrl"] = "A" * 7_000_001
    with pytest.raises(ValidationError):
        GenerationInput.model_validate(body)


def test_a_generation_detail_carries_the_result_image_and_a_list_item_does_not():
    # Given a generation row, selected whole and selected for a list
    row = generation_row()
    full = rows.GenerationRow.model_validate(row)
    summary = rows.GenerationSummaryRow.model_validate(only(row, rows.GENERATION_LIST_COLUMNS))

    # When each is shown
    detail = Generation.from_row(full, rows.GenerationExtrasRow(tokens_charged=3)).model_dump(mode="json")
    item = GenerationSummary.from_row(summary, rows.GenerationExtrasRow(tokens_charged=3)).model_dump(mode="json")

    # Then the detail has the image and where to fetch it, and the list item has no such keys at all
    assert detail["resultImageBase64"] == PNG
    assert detail["resultImageUrl"] == f"/generations/{row['id']}/image"
    assert "resultImageBase64" not in item and "resultImageUrl" not in item
    # And both carry the same other fields, camelCase
    assert {key: value for key, value in detail.items() if not key.startswith("resultImage")} == item
    assert set(item) == {
        "id",
        "userId",
        "mode",
        "status",
        "prompt",
        "userPhotoUrl",
        "itemPhotoUrl",
        "aiPromptUsed",
        "modelUsed",
        "generationTimeMs",
        "errorMessage",
        "savedToWardrobe",
        "tokensCharged",
        "quality",
        "aspectRatio",
        "imageSize",
        "errorCode",
        "retryable",
        "deadlineAt",
        "garments",
        "batchId",
        "createdAt",
    }
    assert item["tokensCharged"] == 3
    # And a generation written without the backend's options reads as the standard tier, not failed
    assert (item["quality"], item["errorCode"], item["retryable"]) == ("standard", None, None)
    # And a try-on made with one garment (by either writer) shows it as its outfit, in no batch
    assert item["mode"] == "tryon"
    assert item["garments"] == [{"photoUrl": item["itemPhotoUrl"], "category": None, "photoType": None}]
    assert item["batchId"] is None
    assert item["createdAt"] == "2025-03-04T05:06:07.891Z"


def test_a_page_of_generations_has_no_image_keys():
    # Given a page of list items
    summary = rows.GenerationSummaryRow.model_validate(only(generation_row(), rows.GENERATION_LIST_COLUMNS))
    page = Page[GenerationSummary](
        items=[GenerationSummary.from_row(summary, rows.GenerationExtrasRow(tokens_charged=5))], next_cursor="abc"
    )

    # When it is serialised
    body = json.loads(page.model_dump_json())

    # Then it is the list envelope and no item has the image
    assert body["nextCursor"] == "abc"
    assert all("resultImageBase64" not in item for item in body["items"])


def test_an_inline_photo_is_shown_as_null_and_a_url_as_stored():
    # Given a generation whose user photo is a URL and whose item photo was sent inline
    row = rows.GenerationRow.model_validate(generation_row())

    # When it is shown
    body = Generation.from_row(row, rows.GenerationExtrasRow(tokens_charged=0)).model_dump(mode="json")

    # Then the URL is kept and the data URI is not echoed back
    assert body["userPhotoUrl"] == "https://cdn.example.com/me.png"
    assert body["itemPhotoUrl"] is None


def test_a_generation_list_query_reads_query_string_values():
    # Given query-string values (all strings)
    query = GenerationListQuery.model_validate({"savedToWardrobe": "true", "limit": "5", "mode": "tryon"})

    # Then they are typed
    assert (query.saved_to_wardrobe, query.limit, query.mode, query.cursor) == (True, 5, "tryon", None)
    # And the page size defaults to 20 and is limited to 1..100
    assert GenerationListQuery.model_validate({}).limit == 20
    for limit in ("0", "101"):
        with pytest.raises(ValidationError):
            GenerationListQuery.model_validate({"limit": limit})
    with pytest.raises(ValidationError):
        GenerationListQuery.model_validate({"status": "cancelled"})


@pytest.mark.parametrize("ratio", ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"])
def test_a_generation_takes_each_ratio_the_image_models_take_and_a_quality(ratio: str):
    body = {"mode": "from_prompt", "prompt": "a hat", "quality": "high", "options": {"aspectRatio": ratio}}
    accepted = GenerationInput.model_validate(body)
    assert (accepted.quality, accepted.options and accepted.options.aspect_ratio) == ("high", ratio)
    assert GenerationInput.model_validate({"mode": "from_prompt", "prompt": "a hat"}).quality == "standard"
    with pytest.raises(ValidationError):
        GenerationInput.model_validate({**body, "quality": "ultra"})


def test_a_failed_generation_says_why_in_a_code_and_whether_to_retry():
    failed = rows.GenerationRow.model_validate(generation_row(status="failed", error_message="cancelled"))
    ours = rows.GenerationExtrasRow(tokens_charged=0, error_code="cancelled", retryable=True)
    body = Generation.from_row(failed, ours).model_dump(mode="json")
    assert (body["errorCode"], body["retryable"]) == ("cancelled", True)
    # A generation another writer failed (no failure row of ours) reads as `internal`, retryable
    theirs = Generation.from_row(failed, rows.GenerationExtrasRow(tokens_charged=0)).model_dump(mode="json")
    assert (theirs["errorCode"], theirs["retryable"]) == ("internal", True)


@pytest.mark.parametrize(("seconds", "accepted"), [(9, False), (10, True), (600, True), (601, False)])
def test_a_deadline_is_10_to_600_seconds(seconds: int, accepted: bool):
    body = {"mode": "from_prompt", "prompt": "a hat", "deadlineSeconds": seconds}
    if accepted:
        assert GenerationInput.model_validate(body).deadline_seconds == seconds
    else:
        with pytest.raises(ValidationError):
            GenerationInput.model_validate(body)
