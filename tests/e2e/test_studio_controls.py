"""The studio's controls, as a frontend drives them through the local stack: a quality tier that picks the
model, an aspect ratio and size sent to it as ``imageConfig``, what each costs (in ``/pricing`` and in every
paid answer), and a failure's code. The real google-genai client talks to a fake Gemini that records what it
is sent (``tests/fakes/gemini.py``)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from imagify.settings import AiSettings
from tests.fakes.gemini import FakeGemini, image_reply, line_art_png, safety_block_reply
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
