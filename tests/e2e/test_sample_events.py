"""Every sample event under events/ invokes its function through the local invoker, with the status it
is meant to get (each file documents one case: the happy path or a refusal)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from devstack.database import DEMO_USER_ID, reset_demo_user
from imagify.identity.passwords import hash_password
from tests.support.env import setenv

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"

# events/<dir>/<case>.json → the HTTP status, or for a task/scheduled function what its result shows.
EXPECTED: dict[str, int | str] = {
    "health/get": 200,
    "pricing/get": 200,
    "pricing/unknown-route": 404,
    "migrate/status": "result",
    "migrate/apply": "result",
    "auth_register/register": 201,
    "auth_register/weak-password": 422,
    "auth_login/login": 200,
    "auth_login/wrong-password": 401,
    "auth_refresh/unknown-session": 401,
    "auth_logout/logout": 204,
    "auth_oauth/unknown-provider": 404,
    "verify_email_request/request": 202,
    "verify_email_confirm/bad-token": 422,
    "password_reset_request/request": 202,
    "password_reset_confirm/bad-token": 422,
    "me_get/get": 200,
    "me_patch/rename": 200,
    "me_patch/unknown-field": 422,
    "me_delete/wrong-password": 403,
    "me_token_transactions/list": 200,
    "admin_users_list/search": 200,
    "admin_users_list/not-admin": 403,
    "admin_user_patch/make-pro": 200,
    "admin_user_tokens/grant": 200,
    "admin_stats/stats": 200,
    "authorizer/unknown-session": "Unauthorized",
    "uploads_create/user-photo": 201,
    "uploads_create/too-large": 422,
    "generations_create/from-prompt": 202,
    "generations_create/photo-text-inline": 202,
    "generations_create/url-refused": 422,
    "generations_list/completed": 200,
    "generation_get/unknown": 404,
    "generation_image/unknown": 404,
    "generation_cancel/unknown": 404,
    "generation_rerun/unknown": 404,
    "generation_delete/unknown": 404,
    "generation_save/unknown": 404,
    "generation_mark_processing/task": "GenerationGone",
    "generation_generate/task": "GenerationGone",
    "generation_mark_completed/task": "GenerationGone",
    "generation_mark_failed/after-catch": "result",
    "wardrobe_items_list/by-tag": 200,
    "wardrobe_items_create/create": 201,
    "wardrobe_items_create/not-an-image": 415,
    "wardrobe_item_get/unknown": 404,
    "wardrobe_item_patch/unknown": 404,
    "wardrobe_item_delete/unknown": 404,
    "wardrobe_item_image/unknown": 404,
    "collections_list/with-covers": 200,
    "collections_create/create": 201,
    "collection_get/unknown": 404,
    "collection_patch/unknown": 404,
    "collection_delete/unknown": 404,
    "advisor_ask/question": 201,
    "advisor_ask/empty-message": 422,
    "advisor_sessions_list/list": 200,
    "advisor_session_get/unknown": 404,
    "advisor_session_delete/unknown": 404,
    "advisor_session_generate/unknown": 404,
    "cleanup/scheduled": "result",
    "webhooks_create/create-local": 201,
    "webhooks_create/private-address": 422,
    "webhooks_list/list": 200,
    "webhook_get/unknown": 404,
    "webhook_patch/unknown": 404,
    "webhook_delete/unknown": 404,
    "webhook_rotate_secret/default": 200,
    "webhook_deliveries_list/default": 200,
    "webhook_redeliver/unknown": 404,
    "webhook_deliver/task": "result",
}


def _function_of(template: Any, directory: str) -> str:
    for function in template.functions.values():
        if function.code_uri.name == directory:
            return str(function.logical_id)
    raise AssertionError(f"events/{directory}/ names no function of the template")


def test_every_event_file_has_an_expected_outcome():
    found = {f"{path.parent.name}/{path.stem}" for path in EVENTS.glob("*/*.json")}
    assert found == set(EXPECTED)


@pytest.fixture
def demo_user(database: str) -> str:
    """The user the API events' authorizer context names, with the password of events/auth_login/login.json."""
    reset_demo_user(database, admin_emails="")
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(
            "UPDATE users SET password_hash = %s WHERE id = %s", (hash_password("demo-password-123"), DEMO_USER_ID)
        )
    return DEMO_USER_ID


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_the_event_gets_its_expected_outcome(case: str, local_stack: Any, demo_user: str, monkeypatch):
    setenv(monkeypatch, ADVISOR_PROVIDER="offline", IMAGE_PROVIDER="offline")
    directory, name = case.split("/")
    event = json.loads((EVENTS / directory / f"{name}.json").read_text())
    logical_id = _function_of(local_stack.template, directory)
    expected = EXPECTED[case]

    if expected in ("Unauthorized", "GenerationGone"):
        # A refusal the invoker reports as the function's error (errorType / errorMessage)
        with pytest.raises(Exception, match=r"Unauthorized|generation 2222") as raised:
            local_stack.runtime.invoke(logical_id, event)
        assert expected in (type(raised.value).__name__, str(raised.value))
        return
    result = local_stack.runtime.invoke(logical_id, event)
    if isinstance(expected, int):
        assert result["statusCode"] == expected, result.get("body")
    else:
        assert expected == "result", result
        assert isinstance(result, dict)
