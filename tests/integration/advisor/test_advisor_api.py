"""``POST /advisor`` through the gateway, the app's own boto3 Bedrock client talking to a local Converse server.

A session is stored, and the advice charged, only when the model answered: every failed call leaves no
``advisor_sessions`` row and no ledger row, and the balance as it was.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from imagify.ai.advice.protocol import SYSTEM_PROMPT
from tests.fakes import bedrock
from tests.fakes.gemini import png
from tests.fakes.http import Reply, ScriptedServer
from tests.integration.advisor.conftest import MODEL_ID
from tests.integration.wardrobe.helpers import jpeg, ok, upload
from tests.support.api import ApiClient, User, as_kept
from tests.support.env import setenv
from tests.support.images import data_uri
from tests.support.sql import Sql, rows, scalar

PROMPT = "A photorealistic full-body photograph of a person in a sage linen shirt and ecru chinos, late sun."
ANSWER = f"**For a garden party:** a sage linen shirt, ecru chinos.\n\n<generation_prompt>{PROMPT}</generation_prompt>"
QUESTION = "What should I wear to a garden party?"


def nothing_stored_or_charged(sql: Sql, user: User, tokens_before: int) -> None:
    assert scalar(sql, "SELECT count(*) FROM advisor_sessions WHERE user_id = %s", (user.id,)) == 0
    assert rows(sql, "SELECT kind FROM token_transactions WHERE user_id = %s AND kind <> 'signup'", (user.id,)) == []
    assert scalar(sql, "SELECT tokens FROM users WHERE id = %s", (user.id,)) == tokens_before


def test_advice_with_a_photo_sends_it_stores_the_session_and_charges(
    api: ApiClient, bedrock_env: ScriptedServer, advisor_cost: int, sql: Sql
):
    # Given a user with 50 tokens, advice costing 2, and a model that answers with a tagged prompt
    user = api.register()
    bedrock_env.script(bedrock.text_reply(ANSWER))
    photo = png(48, 64, (30, 60, 90))

    # When they ask with a photo sent inline
    answer = api.post("/advisor", {"message": QUESTION, "userPhotoUrl": data_uri(photo)}, token=user.access_token)

    # Then the model got the system prompt, the photo (format and bytes) and the question
    [request] = bedrock_env.requests
    assert bedrock.model_id_of(request) == MODEL_ID
    assert bedrock.system_text(request) == SYSTEM_PROMPT
    assert bedrock.images_of(request) == [("png", photo)]
    assert bedrock.texts_of(request) == [QUESTION]
    # And they see the advice without the tag block, and the prompt drawn from it
    session = ok(answer, 201)
    assert session["aiResponse"] == "**For a garden party:** a sage linen shirt, ecru chinos."
    assert session["extractedPrompt"] == PROMPT
    assert session["userMessage"] == QUESTION
    assert session["userPhotoUrl"] is None  # (sent inline: not echoed back)
    # And the session is stored, and 2 tokens were charged through the ledger
    stored = sql.execute("SELECT * FROM advisor_sessions WHERE user_id = %s", (user.id,)).fetchall()
    assert [(str(r["id"]), r["extracted_prompt"], r["user_photo_url"]) for r in stored] == [
        (session["id"], PROMPT, data_uri(photo))
    ]
    charges = rows(
        sql,
        "SELECT delta, balance_after FROM token_transactions WHERE user_id = %s AND kind = %s",
        (user.id, "advisor_charge"),
    )
    assert [(c["delta"], c["balance_after"]) for c in charges] == [(-advisor_cost, 50 - advisor_cost)]
    assert ok(api.get("/me", token=user.access_token))["tokens"] == 50 - advisor_cost


def test_an_uploaded_photo_is_read_from_s3_and_sent_in_its_format(
    api: ApiClient, bedrock_env: ScriptedServer, sql: Sql
):
    # Given a JPEG the user uploaded through a presigned POST
    user = api.register()
    photo = jpeg()
    ref = upload(api, user, photo, "image/jpeg")
    bedrock_env.script(bedrock.text_reply(ANSWER))

    # When they ask with its uploadRef
    session = as_kept(
        ok(api.post("/advisor", {"message": QUESTION, "userPhotoUrl": ref}, token=user.access_token), 201)
    )

    # Then the model got the upload's bytes as a jpeg block, and the session keeps a presigned GET URL of the
    # upload (what the frontend, reading the same row, can show while it lives)
    assert bedrock.images_of(bedrock_env.requests[0]) == [("jpeg", photo)]
    stored = scalar(sql, "SELECT user_photo_url FROM advisor_sessions WHERE id = %s", (session["id"],))
    assert session["userPhotoUrl"] == stored
    assert urlsplit(stored).path.endswith("/" + ref.removeprefix("upload:")) and "X-Amz-Signature=" in stored


def test_advice_without_an_extractable_prompt_is_kept_with_a_null_prompt(
    api: ApiClient, bedrock_env: ScriptedServer, sql: Sql
):
    user = api.register()
    bedrock_env.script(bedrock.text_reply("Linen, in soft colours. Avoid black in the afternoon sun."))

    session = as_kept(ok(api.post("/advisor", {"message": QUESTION}, token=user.access_token), 201))

    assert session["extractedPrompt"] is None
    assert session["aiResponse"] == "Linen, in soft colours. Avoid black in the afternoon sun."
    assert bedrock.user_blocks(bedrock_env.requests[0]) == [{"text": QUESTION}]
    assert scalar(sql, "SELECT extracted_prompt IS NULL FROM advisor_sessions WHERE id = %s", (session["id"],))


@pytest.mark.parametrize(
    ("reply", "status", "code"),
    [
        (bedrock.error_reply(429), 429, "rate_limited"),
        (bedrock.error_reply(400, message="image too large"), 422, "validation_error"),
        (bedrock.error_reply(503), 503, "service_unavailable"),
        (bedrock.error_reply(500), 503, "service_unavailable"),
        (bedrock.text_reply(""), 503, "service_unavailable"),
    ],
    ids=["throttled", "validation", "unavailable", "internal-error", "empty-answer"],
)
def test_a_failed_model_call_stores_nothing_and_charges_nothing(
    api: ApiClient, bedrock_env: ScriptedServer, advisor_cost: int, sql: Sql, reply, status, code
):
    # Given a model that fails (every time: the client's own retry fails too)
    user = api.register()
    bedrock_env.script(reply)

    # When the user asks, with a photo
    answer = api.post("/advisor", {"message": QUESTION, "userPhotoUrl": data_uri(png())}, token=user.access_token)

    # Then they get the mapped error, and the model was really called
    assert (answer.status, answer.error_code) == (status, code), answer.body
    assert bedrock_env.requests
    if status == 429:
        assert answer.headers["retry-after"] == "5"
    # And no session was stored and no token taken
    nothing_stored_or_charged(sql, user, 50)


def test_a_throttled_call_can_be_retried_with_the_same_idempotency_key(
    api: ApiClient, bedrock_env: ScriptedServer, advisor_cost: int, sql: Sql
):
    # Given a model that throttles (the client's two attempts), then answers
    user = api.register()
    bedrock_env.script(bedrock.error_reply(429), bedrock.error_reply(429), bedrock.text_reply(ANSWER))
    key = {"Idempotency-Key": "ask-1"}

    # When the user retries with the same key after the 429
    first = api.post("/advisor", {"message": QUESTION}, token=user.access_token, headers=key)
    second = api.post("/advisor", {"message": QUESTION}, token=user.access_token, headers=key)
    third = api.post("/advisor", {"message": QUESTION}, token=user.access_token, headers=key)

    # Then the retry is answered, a repeat gets the same answer, and one session was stored and charged once
    assert first.status == 429
    assert ok(second, 201) == ok(third, 201)
    assert len(bedrock_env.requests) == 3
    assert scalar(sql, "SELECT count(*) FROM advisor_sessions WHERE user_id = %s", (user.id,)) == 1
    assert (
        scalar(
            sql, "SELECT count(*) FROM token_transactions WHERE user_id = %s AND kind = 'advisor_charge'", (user.id,)
        )
        == 1
    )
    assert scalar(sql, "SELECT tokens FROM users WHERE id = %s", (user.id,)) == 50 - advisor_cost


def test_a_photo_that_is_not_an_image_is_refused_before_the_model_is_called(
    api: ApiClient, bedrock_env: ScriptedServer, advisor_cost: int, sql: Sql
):
    user = api.register()
    bedrock_env.script(bedrock.text_reply(ANSWER))

    answer = api.post(
        "/advisor", {"message": QUESTION, "userPhotoUrl": data_uri(b"not a png at all")}, token=user.access_token
    )

    assert (answer.status, answer.error_code) == (415, "unsupported_media_type")
    assert bedrock_env.requests == []
    nothing_stored_or_charged(sql, user, 50)


def test_advice_dearer_than_the_balance_is_402_without_calling_the_model(
    api: ApiClient, bedrock_env: ScriptedServer, sql: Sql, monkeypatch: pytest.MonkeyPatch
):

    setenv(monkeypatch, ADVISOR_COST="51")
    user = api.register()
    bedrock_env.script(bedrock.text_reply(ANSWER))

    answer = api.post("/advisor", {"message": QUESTION}, token=user.access_token)

    assert (answer.status, answer.error_code) == (402, "insufficient_tokens")
    assert bedrock_env.requests == []
    nothing_stored_or_charged(sql, user, 50)


def test_the_offline_advisor_answers_with_a_prompt(api: ApiClient, offline_advisor: None, fake_bedrock: ScriptedServer):
    user = api.register()
    session = as_kept(ok(api.post("/advisor", {"message": QUESTION}, token=user.access_token), 201))
    assert "offline" in session["aiResponse"]
    assert QUESTION in session["extractedPrompt"]
    assert fake_bedrock.requests == []


def test_a_balance_spent_while_the_model_thinks_is_402_and_the_key_can_be_retried(
    api: ApiClient, bedrock_env: ScriptedServer, advisor_cost: int, sql: Sql
):
    # Given a user asking with an Idempotency-Key, and a model that takes a moment
    user = api.register()
    bedrock_env.script(Reply(**{**vars(bedrock.text_reply(ANSWER)), "delay_s": 1.0}), bedrock.text_reply(ANSWER))
    key = {"Idempotency-Key": "slow-1"}
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(api.post, "/advisor", {"message": QUESTION}, token=user.access_token, headers=key)
        # When the balance is spent elsewhere while the model answers (another tab's generation, say; done in
        # SQL because the local stack runs one invocation at a time)
        while not bedrock_env.requests:
            time.sleep(0.01)
        sql.execute("UPDATE users SET tokens = 1 WHERE id = %s", (user.id,))
        first = pending.result(timeout=30)

    # Then the answer is 402, and nothing was stored or charged
    assert (first.status, first.error_code) == (402, "insufficient_tokens")
    assert scalar(sql, "SELECT count(*) FROM advisor_sessions WHERE user_id = %s", (user.id,)) == 0

    # And once tokens are back, a retry with the same key is answered (the key was not left half-used)
    sql.execute("UPDATE users SET tokens = 50 WHERE id = %s", (user.id,))
    retry = api.post("/advisor", {"message": QUESTION}, token=user.access_token, headers=key)
    assert retry.status == 201, retry.body
    assert scalar(sql, "SELECT count(*) FROM advisor_sessions WHERE user_id = %s", (user.id,)) == 1
