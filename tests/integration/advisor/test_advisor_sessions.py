"""The advisor's history (list, get, delete) and turning advice into a generation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pytest

from tests.fakes import bedrock
from tests.fakes.gemini import png
from tests.fakes.http import ScriptedServer
from tests.integration.wardrobe.helpers import ok, upload, wait_for_generation
from tests.support.api import ApiClient, User, as_kept
from tests.support.env import setenv
from tests.support.images import data_uri
from tests.support.sql import Sql, rows, scalar

COST_FROM_PROMPT = 3
COST_PHOTO_TEXT = 4


@pytest.fixture
def costs(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Generation costs that tell the modes apart."""
    setenv(monkeypatch, COST_FROM_PROMPT=str(COST_FROM_PROMPT), COST_PHOTO_TEXT=str(COST_PHOTO_TEXT))


def ask(api: ApiClient, user: User, message: str, photo: str | None = None) -> dict[str, Any]:
    body = {"message": message, **({"userPhotoUrl": photo} if photo else {})}
    return as_kept(ok(api.post("/advisor", body, token=user.access_token), 201))


def ledger(sql: Sql, user: User) -> list[tuple[str, int, int, bool]]:
    """The user's ledger after sign-up: (kind, delta, balance after, names a generation), oldest first."""
    return [
        (r["kind"], r["delta"], r["balance_after"], r["generation_id"] is not None)
        for r in rows(
            sql,
            "SELECT kind, delta, balance_after, generation_id FROM token_transactions"
            " WHERE user_id = %s AND kind <> 'signup' ORDER BY created_at, id",
            (user.id,),
        )
    ]


def test_the_history_is_newest_first_in_keyset_pages_and_only_the_callers(api: ApiClient, offline_advisor: None):
    # Given five questions of one user and one of another
    user, other = api.register(), api.register()
    asked = [ask(api, user, f"question {n}") for n in range(5)]
    ask(api, other, "someone else's question")

    # When the history is read two at a time
    pages, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ok(api.get("/advisor/sessions", token=user.access_token, query=query))
        pages.append([s["id"] for s in page["items"]])
        cursor = page["nextCursor"]
        if cursor is None:
            break

    # Then the pages hold 2, 2 and 1 sessions, newest first, only theirs, each as it was created
    assert pages == [[asked[4]["id"], asked[3]["id"]], [asked[2]["id"], asked[1]["id"]], [asked[0]["id"]]]
    whole = ok(api.get("/advisor/sessions", token=user.access_token, query={"limit": 10}))
    assert whole["items"] == list(reversed(asked))
    assert whole["nextCursor"] is None


def test_a_session_is_read_and_deleted(api: ApiClient, offline_advisor: None, sql: Sql):
    user = api.register()
    kept, gone = ask(api, user, "keep me"), ask(api, user, "delete me")

    assert ok(api.get(f"/advisor/sessions/{gone['id']}", token=user.access_token)) == gone

    assert api.delete(f"/advisor/sessions/{gone['id']}", token=user.access_token).status == 204
    assert api.get(f"/advisor/sessions/{gone['id']}", token=user.access_token).status == 404
    assert api.delete(f"/advisor/sessions/{gone['id']}", token=user.access_token).status == 404
    assert ok(api.get("/advisor/sessions", token=user.access_token))["items"] == [kept]
    assert [str(r["id"]) for r in rows(sql, "SELECT id FROM advisor_sessions WHERE user_id = %s", (user.id,))] == [
        kept["id"]
    ]


def test_an_unknown_or_malformed_session_id_is_not_found_or_invalid(api: ApiClient):
    user = api.register()
    unknown = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"/advisor/sessions/{unknown}", token=user.access_token).status == 404
    assert api.post(f"/advisor/sessions/{unknown}/generate", token=user.access_token).status == 404
    assert api.get("/advisor/sessions/not-a-uuid", token=user.access_token).status == 422


def test_generating_from_advice_charges_and_runs_like_a_direct_generation(
    api: ApiClient, offline_advisor: None, costs: None, sql: Sql
):
    # Given advice with a prompt, and (for comparison) another user's direct generation of that prompt
    user, twin = api.register(), api.register()
    session = ask(api, user, "a look for a gallery opening")
    prompt = session["extractedPrompt"]
    assert prompt

    # When the advice is turned into a generation (no body: the server picks the mode)
    started = ok(api.post(f"/advisor/sessions/{session['id']}/generate", token=user.access_token), 202)
    direct = ok(api.post("/generations", {"mode": "from_prompt", "prompt": prompt}, token=twin.access_token), 202)

    # Then it is a from_prompt generation of the advice's prompt, charged as one, pending like the direct one
    assert (started["mode"], started["prompt"], started["status"]) == ("from_prompt", prompt, "pending")
    same = ("mode", "prompt", "aiPromptUsed", "tokensCharged", "status", "userPhotoUrl", "itemPhotoUrl")
    assert {k: started[k] for k in same} == {k: direct[k] for k in same}
    assert started["tokensCharged"] == COST_FROM_PROMPT
    # And the ledger rows are those of a direct generation: one charge naming it
    assert ledger(sql, user) == ledger(sql, twin) == [("generation_charge", -COST_FROM_PROMPT, 50 - 3, True)]
    assert scalar(
        sql, "SELECT generation_id FROM token_transactions WHERE user_id = %s AND kind <> 'signup'", (user.id,)
    ) == UUID(started["id"])
    # And the state machine takes it to completed, with an image
    done = wait_for_generation(api, user, started["id"])
    assert done["status"] == "completed"
    assert done["resultImageBase64"].startswith("data:image/")
    assert done["prompt"] == prompt
    # And the advice is still there, unchanged
    assert ok(api.get(f"/advisor/sessions/{session['id']}", token=user.access_token)) == session


@pytest.mark.parametrize("sent_as", ["data-uri", "upload"])
def test_advice_on_a_photo_generates_photo_text_with_that_photo(
    api: ApiClient, offline_advisor: None, costs: None, sql: Sql, sent_as: str
):
    # Given advice asked with a photo (inline or uploaded)
    user = api.register()
    photo_bytes = png(40, 56, (90, 10, 140))
    photo = data_uri(photo_bytes) if sent_as == "data-uri" else upload(api, user, photo_bytes)
    session = ask(api, user, "how do I dress this up?", photo)

    # When it is turned into a generation
    started = ok(api.post(f"/advisor/sessions/{session['id']}/generate", {}, token=user.access_token), 202)

    # Then it is photo_text, with the session's prompt and photo, charged as photo_text
    assert (started["mode"], started["prompt"]) == ("photo_text", session["extractedPrompt"])
    stored = scalar(sql, "SELECT user_photo_url FROM generations WHERE id = %s", (started["id"],))
    if sent_as == "data-uri":
        assert stored == photo
        assert started["userPhotoUrl"] is None
    else:
        # An upload is kept (in the session and the generation) as a presigned GET URL the frontend can show
        key = photo.removeprefix("upload:")
        assert urlsplit(stored).path.endswith("/" + key) and "X-Amz-Signature=" in stored
        session_row = scalar(sql, "SELECT user_photo_url FROM advisor_sessions WHERE id = %s", (session["id"],))
        assert urlsplit(session_row).path.endswith("/" + key)
        assert started["userPhotoUrl"] == stored
    assert ledger(sql, user) == [("generation_charge", -COST_PHOTO_TEXT, 50 - COST_PHOTO_TEXT, True)]
    assert wait_for_generation(api, user, started["id"])["status"] == "completed"


def test_a_photo_session_may_still_generate_from_the_prompt_alone(api: ApiClient, offline_advisor: None, sql: Sql):
    user = api.register()
    session = ask(api, user, "what goes with this?", data_uri(png()))
    started = ok(
        api.post(f"/advisor/sessions/{session['id']}/generate", {"mode": "from_prompt"}, token=user.access_token), 202
    )
    assert (started["mode"], started["prompt"]) == ("from_prompt", session["extractedPrompt"])
    assert scalar(sql, "SELECT user_photo_url FROM generations WHERE id = %s", (started["id"],)) is None


def test_advice_without_a_photo_cannot_generate_photo_text(api: ApiClient, offline_advisor: None, sql: Sql):
    user = api.register()
    session = ask(api, user, "no photo here")
    answer = api.post(f"/advisor/sessions/{session['id']}/generate", {"mode": "photo_text"}, token=user.access_token)
    assert (answer.status, answer.error_code) == (409, "conflict")
    assert scalar(sql, "SELECT count(*) FROM generations WHERE user_id = %s", (user.id,)) == 0
    assert ledger(sql, user) == []


def test_advice_without_a_prompt_cannot_generate(api: ApiClient, bedrock_env: ScriptedServer, sql: Sql):
    # Given advice from which no prompt could be drawn
    user = api.register()
    bedrock_env.script(bedrock.text_reply("Wear navy; it suits the occasion."))
    session = ask(api, user, "what colour?")
    assert session["extractedPrompt"] is None

    # When it is turned into a generation, Then 409, and nothing is created or charged
    answer = api.post(f"/advisor/sessions/{session['id']}/generate", token=user.access_token)
    assert (answer.status, answer.error_code) == (409, "conflict")
    assert scalar(sql, "SELECT count(*) FROM generations WHERE user_id = %s", (user.id,)) == 0
    assert ledger(sql, user) == []
    assert scalar(sql, "SELECT tokens FROM users WHERE id = %s", (user.id,)) == 50
