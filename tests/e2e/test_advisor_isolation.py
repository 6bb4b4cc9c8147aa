"""One user's advice is invisible to another: B can neither read, delete nor generate from A's advisor
sessions (404 every time, nothing charged to anyone), nor send A's upload to the advisor."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.fakes.gemini import png
from tests.integration.wardrobe.helpers import ok, upload
from tests.support.api import ApiClient, as_kept
from tests.support.env import setenv


@pytest.fixture
def offline_advisor(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    setenv(monkeypatch, ADVISOR_PROVIDER="offline")


def ledgers(database: str) -> list[tuple[str, str, int]]:
    with psycopg.connect(database, row_factory=dict_row) as sql:
        rows = sql.execute("SELECT user_id::text AS u, kind, delta FROM token_transactions ORDER BY created_at, id")
        return [(r["u"], r["kind"], r["delta"]) for r in rows.fetchall()]


def test_b_cannot_read_delete_or_generate_from_as_advice(api: ApiClient, offline_advisor: None, database: str):
    # Given advice of A's (with an uploaded photo), and B
    a, b = api.register(), api.register()
    ref = upload(api, a, png(30, 30))
    session = as_kept(
        ok(api.post("/advisor", {"message": "what goes with this?", "userPhotoUrl": ref}, token=a.access_token), 201)
    )
    path = f"/advisor/sessions/{session['id']}"
    money_before = ledgers(database)

    # When B tries everything on it
    attempts = {
        "get": api.get(path, token=b.access_token),
        "delete": api.delete(path, token=b.access_token),
        "generate": api.post(f"{path}/generate", token=b.access_token),
        "generate from_prompt": api.post(f"{path}/generate", {"mode": "from_prompt"}, token=b.access_token),
    }

    # Then every attempt is a 404, nothing was generated or charged, and A still has it as it was
    assert {name: answer.status for name, answer in attempts.items()} == dict.fromkeys(attempts, 404)
    assert ok(api.get("/advisor/sessions", token=b.access_token))["items"] == []
    assert ok(api.get("/generations", token=b.access_token))["items"] == []
    assert ledgers(database) == money_before
    assert ok(api.get(path, token=a.access_token)) == session
    assert ok(api.get("/advisor/sessions", token=a.access_token))["items"] == [session]


def test_b_cannot_send_as_upload_to_the_advisor(api: ApiClient, offline_advisor: None, database: str):
    a, b = api.register(), api.register()
    ref = upload(api, a, png(30, 30))

    answer = api.post("/advisor", {"message": "me?", "userPhotoUrl": ref}, token=b.access_token)

    assert (answer.status, answer.error_code) == (422, "validation_error")
    assert "no such upload" in answer.json()["error"]["message"]
    assert ok(api.get("/advisor/sessions", token=b.access_token))["items"] == []
