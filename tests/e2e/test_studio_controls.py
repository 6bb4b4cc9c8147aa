"""The studio's controls, as a frontend drives them through the local stack: a quality tier that picks the
model, an aspect ratio and size sent to it as ``imageConfig``, what each costs (in ``/pricing`` and in every
paid answer), and a failure's code. The real google-genai client talks to a fake Gemini that records what it
is sent (``tests/fakes/gemini.py``)."""

from __future__ import annotations

import dataclasses
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from PIL import Image

from imagify.settings import AiSettings
from tests.fakes.gemini import FakeGemini, image_reply, line_art_png, parts_of, safety_block_reply
from tests.integration.generations import fixtures, support
from tests.support.api import ApiClient, User

flow_checks = fixtures.flow_checks
gemini = fixtures.gemini
user = fixtures.user

FLASH = AiSettings.model_fields["gemini_model"].default
PRO = AiSettings.model_fields["gemini_pro_model"].default
LOOK = {"mode": "from_prompt", "prompt": "a camel trench coat over a cream knit"}


def _start(api: ApiClient, user: User, body: dict[str, Any]) -> dict[str, Any]:
    answer = api.post("/generations", body, token=user.access_token)
    assert answer.status == 202, answer.body
    started: dict[str, Any] = answer.json()
    return started


def test_the_high_tier_runs_the_pro_model_at_the_ratio_and_size_asked_and_costs_what_pricing_says(
    api: ApiClient, gemini: FakeGemini, user: User, sql: support.Sql
):
    # Given the price list, and a model that draws
    prices = api.get("/pricing").json()
    cost = prices["qualities"]["high"]["costs"]["from_prompt"] + prices["imageSizeExtras"]["4K"]
    assert cost > prices["qualities"]["standard"]["costs"]["from_prompt"]
    gemini.script(image_reply(line_art_png(96, 41)))

    # When a look is asked for at the high tier, 21:9, 4K
    body = {**LOOK, "quality": "high", "options": {"aspectRatio": "21:9", "imageSize": "4K"}}
    started = _start(api, user, body)

    # Then the answer says what it cost and what is left
    assert (started["tokensCharged"], started["balanceAfter"]) == (cost, 50 - cost)
    assert (started["quality"], started["aspectRatio"], started["imageSize"]) == ("high", "21:9", "4K")
    # And the Pro model was asked, with the ratio and size as its image config
    done = support.wait_for_generation(api, user, started["id"])
    assert (done["status"], done["modelUsed"]) == ("completed", PRO), done["errorMessage"]
    [request] = gemini.requests
    assert request.path.endswith(f"/models/{PRO}:generateContent")
    assert request.body["generationConfig"]["imageConfig"] == {"aspectRatio": "21:9", "imageSize": "4K"}
    # And the ledger holds exactly that charge; a later read does not repeat the balance
    assert support.balance(sql, user) == 50 - cost
    assert "balanceAfter" not in done and done["tokensCharged"] == cost


def test_the_standard_tier_is_the_default_and_runs_flash_at_the_models_own_defaults(
    api: ApiClient, gemini: FakeGemini, user: User
):
    gemini.script(image_reply(line_art_png(64, 64)))

    started = _start(api, user, LOOK)
    done = support.wait_for_generation(api, user, started["id"])

    assert (started["quality"], started["tokensCharged"], started["balanceAfter"]) == ("standard", 1, 49)
    assert (done["status"], done["modelUsed"]) == ("completed", FLASH), done["errorMessage"]
    [request] = gemini.requests
    assert request.path.endswith(f"/models/{FLASH}:generateContent")
    assert "imageConfig" not in request.body["generationConfig"]


def test_a_size_the_tier_does_not_take_is_a_422_naming_what_it_takes_and_costs_nothing(
    api: ApiClient, user: User, sql: support.Sql, monkeypatch: pytest.MonkeyPatch
):
    # Given a deployment whose high tier takes 1K and 2K only
    support.set_env(monkeypatch, HIGH_IMAGE_SIZES="1K,2K")

    # When a 4K look is asked for at that tier
    answer = api.post(
        "/generations", {**LOOK, "quality": "high", "options": {"imageSize": "4K"}}, token=user.access_token
    )

    # Then it is refused, saying what the tier takes, and nothing was charged or started
    assert (answer.status, answer.error_code) == (422, "validation_error"), answer.body
    assert "1K, 2K" in answer.json()["error"]["message"]
    assert answer.json()["error"]["details"] == [
        {"field": "options.imageSize", "quality": "high", "supported": ["1K", "2K"]}
    ]
    assert support.balance(sql, user) == 50
    assert api.get("/pricing").json()["qualities"]["high"]["imageSizes"] == ["1K", "2K"]


def test_a_402_names_what_was_required_and_the_balance(api: ApiClient, user: User, sql: support.Sql):
    # Given a balance of 2 tokens, below the high tier's price
    sql.execute("UPDATE users SET tokens = 2 WHERE id = %s", (user.id,))
    high = api.get("/pricing").json()["qualities"]["high"]["costs"]["from_prompt"]
    assert high > 2

    # When a look at the high tier is asked for
    answer = api.post("/generations", {**LOOK, "quality": "high"}, token=user.access_token)

    # Then the 402 says what it needed and what there is, and nothing changed
    assert (answer.status, answer.error_code) == (402, "insufficient_tokens"), answer.body
    assert answer.json()["error"]["details"] == [{"required": high, "balance": 2}]
    assert support.balance(sql, user) == 2


def test_a_failure_carries_a_code_and_whether_to_retry(api: ApiClient, gemini: FakeGemini, user: User):
    # Given a model that declines for safety
    gemini.script(safety_block_reply())

    # When a look is asked for
    blocked = support.wait_for_generation(api, user, _start(api, user, LOOK)["id"])

    # Then the blocked one says so, and that the same request would fail again; its tokens came back
    assert (blocked["status"], blocked["errorCode"], blocked["retryable"]) == ("failed", "safety_blocked", False)
    assert blocked["tokensCharged"] == 0
    assert blocked["errorMessage"].endswith("your tokens were refunded")


def test_a_cancelled_generation_says_cancelled_and_retryable(api: ApiClient, user: User):
    started = _start(api, user, LOOK)

    answer = api.post(f"/generations/{started['id']}/cancel", token=user.access_token)

    # (it may have finished first with the offline model: then there is nothing to cancel)
    if answer.status == 200:
        assert (answer.json()["errorCode"], answer.json()["retryable"]) == ("cancelled", True)
        listed = api.get("/generations", token=user.access_token).json()["items"][0]
        assert (listed["errorCode"], listed["retryable"]) == ("cancelled", True)
    else:
        assert (answer.status, answer.error_code) == (409, "conflict"), answer.body


def test_paid_advice_says_what_it_cost_and_what_is_left(api: ApiClient, user: User, monkeypatch: pytest.MonkeyPatch):
    support.set_env(monkeypatch, ADVISOR_PROVIDER="offline", ADVISOR_COST="3")

    answer = api.post("/advisor", {"message": "What goes with a camel coat?"}, token=user.access_token)

    assert answer.status == 201, answer.body
    assert (answer.json()["tokensCharged"], answer.json()["balanceAfter"]) == (3, 47)


# -- again, with changes --------------------------------------------------------------------------------------


def test_a_rerun_runs_the_same_inputs_as_a_new_generation_charged_once_per_key(
    api: ApiClient, gemini: FakeGemini, user: User, sql: support.Sql
):
    # Given a completed look at the high tier, 3:4, with a style
    gemini.script(image_reply(line_art_png(48, 64)))
    body = {**LOOK, "quality": "high", "options": {"aspectRatio": "3:4", "style": "editorial"}}
    first = support.wait_for_generation(api, user, _start(api, user, body)["id"])
    assert first["status"] == "completed", first["errorMessage"]
    cost = first["tokensCharged"]

    # When it is run again, twice with the same key
    key = {"Idempotency-Key": "again-1"}
    again = api.post(f"/generations/{first['id']}/rerun", token=user.access_token, headers=key)
    retried = api.post(f"/generations/{first['id']}/rerun", token=user.access_token, headers=key)

    # Then one new generation started with the same inputs, charged as a new one, once
    assert again.status == 202, again.body
    assert (retried.status, retried.json()) == (202, again.json())
    rerun = again.json()
    assert rerun["id"] != first["id"]
    same = ("mode", "prompt", "aiPromptUsed", "quality", "aspectRatio", "imageSize")
    assert {k: rerun[k] for k in same} == {k: first[k] for k in same}
    assert (rerun["tokensCharged"], rerun["balanceAfter"]) == (cost, 50 - 2 * cost)
    done = support.wait_for_generation(api, user, rerun["id"])
    assert (done["status"], done["modelUsed"]) == ("completed", PRO), done["errorMessage"]
    assert gemini.requests[-1].body["generationConfig"]["imageConfig"] == {"aspectRatio": "3:4"}
    assert support.balance(sql, user) == 50 - 2 * cost


def test_a_rerun_may_change_the_quality_and_options_and_keeps_the_rest(api: ApiClient, user: User):
    first = support.wait_for_generation(
        api, user, _start(api, user, {**LOOK, "quality": "high", "options": {"aspectRatio": "16:9"}})["id"]
    )

    answer = api.post(
        f"/generations/{first['id']}/rerun",
        {"quality": "standard", "options": {"imageSize": "2K"}},
        token=user.access_token,
    )

    assert answer.status == 202, answer.body
    rerun = answer.json()
    assert (rerun["quality"], rerun["aspectRatio"], rerun["imageSize"]) == ("standard", "16:9", "2K")
    prices = api.get("/pricing").json()
    assert (
        rerun["tokensCharged"]
        == prices["qualities"]["standard"]["costs"]["from_prompt"] + prices["imageSizeExtras"]["2K"]
    )
    support.wait_for_generation(api, user, rerun["id"])


def test_a_rerun_whose_upload_has_expired_is_a_clear_422_and_costs_nothing(
    api: ApiClient, user: User, sql: support.Sql, local_stack: Any
):
    # Given a look made from an uploaded photo, whose upload has since expired and been swept
    ref = support.upload(api, user, support.picture(), "image/png", "user_photo")
    first = support.wait_for_generation(
        api, user, _start(api, user, {"mode": "photo_text", "userPhotoUrl": ref, "prompt": "add a scarf"})["id"]
    )
    bucket = local_stack.template.buckets["UploadsBucket"].name
    local_stack.aws.client("s3").delete_object(Bucket=bucket, Key=ref.removeprefix("upload:"))
    balance = support.balance(sql, user)

    # When it is run again
    answer = api.post(f"/generations/{first['id']}/rerun", token=user.access_token)

    # Then it is refused, saying the photo expired, and nothing was charged or started
    assert (answer.status, answer.error_code) == (422, "validation_error"), answer.body
    assert "expired" in answer.json()["error"]["message"]
    assert answer.json()["error"]["details"][0]["field"] == "userPhotoUrl"
    assert support.balance(sql, user) == balance


def test_another_users_generation_cannot_be_rerun(api: ApiClient, user: User, sql: support.Sql):
    theirs = support.wait_for_generation(api, user, _start(api, user, LOOK)["id"])
    other = api.register()

    answer = api.post(f"/generations/{theirs['id']}/rerun", token=other.access_token)

    assert (answer.status, answer.error_code) == (404, "not_found")
    assert support.balance(sql, other) == 50


# -- deadlines ------------------------------------------------------------------------------------------------


def test_a_generation_not_done_by_its_deadline_fails_timed_out_refunded_and_its_model_call_is_cut(
    api: ApiClient, gemini: FakeGemini, user: User, sql: support.Sql
):
    # Given a model that takes five minutes to answer
    gemini.script(dataclasses.replace(image_reply(line_art_png(32, 32)), delay_s=300))

    # When a look is asked for with a 10-second deadline (waited for two minutes at most: no model answer by then)
    started = _start(api, user, {**LOOK, "deadlineSeconds": 10})
    done = support.wait_for_generation(api, user, started["id"], timeout_s=120)

    # Then it failed as timed out (retryable) and refunded, without waiting for the model's answer
    assert (done["status"], done["errorCode"], done["retryable"]) == ("failed", "timed_out", True), done
    assert done["deadlineAt"] is not None and started["deadlineAt"] == done["deadlineAt"]
    assert (done["tokensCharged"], support.balance(sql, user)) == (0, 50)
    # And the model was asked once, its call cut at the deadline rather than retried
    assert len(gemini.requests) == 1


# -- whole outfits --------------------------------------------------------------------------------------------

PERSON, TOP, BOTTOM, SHOES = (30, 90, 200), (200, 40, 40), (40, 160, 60), (230, 200, 20)


def _colour_of(part: dict[str, Any]) -> tuple[int, ...]:
    """The colour at the centre of an image the SDK sent inline."""
    with Image.open(io.BytesIO(support.sdk_bytes(part["inlineData"]["data"]))) as picture:
        pixel = picture.convert("RGB").getpixel((picture.width // 2, picture.height // 2))
    assert isinstance(pixel, tuple)
    return pixel


def test_a_whole_outfit_goes_to_the_model_as_reference_images_each_described_and_the_first_stays_the_items_photo(
    api: ApiClient, gemini: FakeGemini, user: User, sql: support.Sql
):
    # Given a person's photo and a top uploaded, and trousers and shoes sent inline
    person = support.upload(api, user, support.picture(colour=PERSON))
    top = support.upload(api, user, support.picture(colour=TOP), purpose="item_photo")
    outfit = [
        {"photoUrl": top, "category": "top", "photoType": "flat-lay"},
        {"photoUrl": support.data_uri(support.picture(colour=BOTTOM)), "category": "bottom", "photoType": "on-model"},
        {"photoUrl": support.data_uri(support.picture(colour=SHOES)), "category": "shoes"},
    ]
    gemini.script(image_reply(line_art_png(64, 96)), image_reply(line_art_png(64, 96)))

    # When the person tries the outfit on
    started = _start(api, user, {"mode": "tryon", "userPhotoUrl": person, "garments": outfit})
    done = support.wait_for_generation(api, user, started["id"])

    # Then the model got the person then each garment, in order, and was told what each is and where it goes
    assert done["status"] == "completed", done["errorMessage"]
    [request] = gemini.requests
    parts = parts_of(request.body)
    [text] = [part["text"] for part in parts if "text" in part]
    assert [_colour_of(part) for part in parts if "inlineData" in part] == [PERSON, TOP, BOTTOM, SHOES]
    assert "second image is a top: dress the upper body in it (photographed laid flat" in text
    assert "third image is a bottom: dress the lower body in it (photographed worn by someone else" in text
    assert "fourth image is a pair of shoes: put them on the feet." in text
    # And it costs what one try-on costs
    assert started["tokensCharged"] == api.get("/pricing").json()["qualities"]["standard"]["costs"]["tryon"]
    # And the answer lists the garments; the first is the row's item photo, for the frontend's readers
    assert [(g["category"], g["photoType"]) for g in done["garments"]] == [
        ("top", "flat-lay"),
        ("bottom", "on-model"),
        ("shoes", None),
    ]
    assert done["garments"][0]["photoUrl"] == done["itemPhotoUrl"] is not None
    assert done["garments"][1]["photoUrl"] is None  # (sent inline: a data URI is never repeated back)
    stored = support.scalar(sql, "SELECT item_photo_url FROM generations WHERE id = %s", (done["id"],))
    assert top.removeprefix("upload:") in stored

    # And a rerun dresses the person in the same outfit
    again = api.post(f"/generations/{done['id']}/rerun", token=user.access_token)
    assert again.status == 202, again.body
    assert support.wait_for_generation(api, user, again.json()["id"])["status"] == "completed"
    parts = parts_of(gemini.requests[1].body)
    assert [_colour_of(part) for part in parts if "inlineData" in part] == [PERSON, TOP, BOTTOM, SHOES]


def test_one_garment_in_item_photo_url_works_as_before(
    api: ApiClient, gemini: FakeGemini, user: User, sql: support.Sql
):
    gemini.script(image_reply(line_art_png(64, 96)))
    person, item = (support.data_uri(support.picture(colour=colour)) for colour in (PERSON, TOP))

    started = _start(api, user, {"mode": "tryon", "userPhotoUrl": person, "itemPhotoUrl": item})
    done = support.wait_for_generation(api, user, started["id"])

    assert done["status"] == "completed", done["errorMessage"]
    parts = parts_of(gemini.requests[0].body)
    assert [_colour_of(part) for part in parts if "inlineData" in part] == [PERSON, TOP]
    assert done["aiPromptUsed"].startswith("You are a virtual fitting room. The first image is a photo of a person;")
    assert done["garments"] == [{"photoUrl": None, "category": None, "photoType": None}]
    assert support.scalar(sql, "SELECT item_photo_url FROM generations WHERE id = %s", (done["id"],)) == item


def test_a_garment_that_is_not_an_image_is_refused_naming_it_before_anything_is_charged(
    api: ApiClient, user: User, sql: support.Sql
):
    person = support.data_uri(support.picture(colour=PERSON))
    outfit = [
        {"photoUrl": support.data_uri(support.picture(colour=TOP)), "category": "top"},
        {"photoUrl": support.data_uri(b"not an image at all"), "category": "bottom"},
    ]

    answer = api.post(
        "/generations", {"mode": "tryon", "userPhotoUrl": person, "garments": outfit}, token=user.access_token
    )

    assert (answer.status, answer.error_code) == (415, "unsupported_media_type"), answer.body
    assert "garments[1].photoUrl" in answer.json()["error"]["message"]
    assert support.balance(sql, user) == 50
    assert support.scalar(sql, "SELECT count(*) FROM generations WHERE user_id = %s", (user.id,)) == 0


# -- several looks per request --------------------------------------------------------------------------------


def test_a_batch_of_four_looks_is_charged_run_and_refunded_look_by_look_under_one_key(
    api: ApiClient, gemini: FakeGemini, user: User, sql: support.Sql, monkeypatch: pytest.MonkeyPatch
):
    # Given a plan that runs four at once, and a model that draws three looks and declines one
    support.set_env(monkeypatch, FREE_MAX_IN_FLIGHT="4")
    image = image_reply(line_art_png(48, 64))
    gemini.script(image, image, safety_block_reply(), image)
    key = {"Idempotency-Key": "batch-of-four"}

    # When four looks are asked for, and the request is sent twice with its key
    first = api.post("/generations", {**LOOK, "count": 4}, token=user.access_token, headers=key)
    again = api.post("/generations", {**LOOK, "count": 4}, token=user.access_token, headers=key)

    # Then one batch of four started, each look charged on its own, once
    assert first.status == 202, first.body
    assert (again.status, again.json()) == (202, first.json())
    started = first.json()
    looks = started["looks"]
    assert len(looks) == 4 and looks[0]["id"] == started["id"]
    assert len({look["id"] for look in looks}) == 4
    assert {look["batchId"] for look in looks} == {started["batchId"]} != {None}
    assert [look["tokensCharged"] for look in looks] == [1, 1, 1, 1]
    assert started["balanceAfter"] == 46
    # And each ran on its own: the declined one failed alone and was refunded alone
    done = [support.wait_for_generation(api, user, look["id"]) for look in looks]
    assert sorted(look["status"] for look in done) == ["completed", "completed", "completed", "failed"]
    [failed] = [look for look in done if look["status"] == "failed"]
    assert (failed["errorCode"], failed["tokensCharged"]) == ("safety_blocked", 0)
    assert support.balance(sql, user) == 47
    assert len(gemini.requests) == 4
    # And the list finds the batch by its id, for its owner only
    listed = api.get(f"/generations?batchId={started['batchId']}", token=user.access_token).json()["items"]
    assert {look["id"] for look in listed} == {look["id"] for look in looks}
    other = api.register()
    assert api.get(f"/generations?batchId={started['batchId']}", token=other.access_token).json()["items"] == []


def test_a_batch_needs_the_tokens_and_the_room_for_every_look(
    api: ApiClient, user: User, sql: support.Sql, monkeypatch: pytest.MonkeyPatch
):
    # Given 3 tokens, on a plan that runs two at once
    sql.execute("UPDATE users SET tokens = 3 WHERE id = %s", (user.id,))

    # When more looks are asked for than the plan runs at once, then more than the balance pays for
    too_many = api.post("/generations", {**LOOK, "count": 3}, token=user.access_token)
    support.set_env(monkeypatch, FREE_MAX_IN_FLIGHT="4")
    too_dear = api.post("/generations", {**LOOK, "count": 4}, token=user.access_token)

    # Then each is refused, saying why, and nothing was charged
    assert (too_many.status, too_many.error_code) == (422, "validation_error"), too_many.body
    assert too_many.json()["error"]["details"] == [{"field": "count", "max": 2}]
    assert (too_dear.status, too_dear.error_code) == (402, "insufficient_tokens"), too_dear.body
    assert too_dear.json()["error"]["details"] == [{"required": 4, "balance": 3}]
    assert support.balance(sql, user) == 3


def test_concurrent_batches_never_charge_more_than_the_balance_and_every_look_is_paid_once(
    api: ApiClient, user: User, sql: support.Sql, monkeypatch: pytest.MonkeyPatch
):
    # Given 10 tokens and room for every look (the offline model draws them)
    support.set_env(monkeypatch, FREE_MAX_IN_FLIGHT="40")
    sql.execute("UPDATE users SET tokens = 10 WHERE id = %s", (user.id,))
    start = threading.Barrier(6)

    def ask(_: int) -> Any:
        start.wait()
        return api.post("/generations", {**LOOK, "count": 4}, token=user.access_token)

    # When six batches of four are asked for at once
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(ask, range(6)))

    # Then two were started whole and the others refused whole: no batch was charged in part
    assert sorted(answer.status for answer in answers) == [202, 202, 402, 402, 402, 402], [a.body for a in answers]
    started = [look["id"] for answer in answers if answer.status == 202 for look in answer.json()["looks"]]
    for look in started:
        assert support.wait_for_generation(api, user, look)["status"] == "completed"
    # And the balance and the ledger agree: eight looks, each charged once, none refunded
    assert support.balance(sql, user) == 2
    charges = support.rows(
        sql,
        "SELECT generation_id, delta FROM token_transactions WHERE user_id = %s "
        "AND kind IN ('generation_charge', 'generation_refund') "
        "ORDER BY generation_id",
        (user.id,),
    )
    assert sorted((str(row["generation_id"]), row["delta"]) for row in charges) == sorted((g, -1) for g in started)
