"""Reading and managing one's generations: the list (newest first, keyset pages, filters, no images), one
generation, another user's (never seen), and deletion (a running one is refunded once)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.generations import support
from tests.support.api import ApiClient, User

PHOTO = support.data_uri(support.picture(16, 16))


def _make(api: ApiClient, user: User, body: dict[str, Any], expect: str = "completed") -> str:
    answer = api.post("/generations", body, token=user.access_token)
    generation_id = str(answer.json()["id"]) if answer.status == 202 else ""
    if expect == "completed":
        assert answer.status == 202, answer.body
        assert support.wait_for_generation(api, user, generation_id)["status"] == "completed"
    return generation_id


@pytest.fixture
def history(
    api: ApiClient,
    user: User,
    other_user: User,
    sql: support.Sql,
    real_state_machine: str,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:
    """Five generations of ``user``, made in this order (the offline model draws them):
    a (from_prompt), b (photo_text), c (from_prompt, failed: it could not start), d (tryon, saved to the
    wardrobe), e (from_prompt); and one of ``other_user``'s."""
    made = {
        "a": _make(api, user, {"mode": "from_prompt", "prompt": "look a"}),
        "b": _make(api, user, {"mode": "photo_text", "userPhotoUrl": PHOTO, "prompt": "look b"}),
    }
    support.set_env(monkeypatch, STATE_MACHINE_ARN=real_state_machine.replace("generation", "missing"))
    assert api.post("/generations", {"mode": "from_prompt", "prompt": "look c"}, token=user.access_token).status == 503
    made["c"] = str(support.scalar(sql, "SELECT id::text FROM generations WHERE prompt = 'look c'"))
    support.set_env(monkeypatch, STATE_MACHINE_ARN=real_state_machine)
    made["d"] = _make(api, user, {"mode": "tryon", "userPhotoUrl": PHOTO, "itemPhotoUrl": PHOTO, "prompt": "look d"})
    saved = api.post(f"/generations/{made['d']}/wardrobe", {}, token=user.access_token)
    assert saved.status == 201, saved.body
    made["e"] = _make(api, user, {"mode": "from_prompt", "prompt": "look e"})
    made["theirs"] = _make(api, other_user, {"mode": "from_prompt", "prompt": "not yours"})
    return made


def _names(history: dict[str, str], items: list[dict[str, Any]]) -> list[str]:
    by_id = {generation_id: name for name, generation_id in history.items()}
    return [by_id[item["id"]] for item in items]


def _pages(api: ApiClient, user: User, **query: Any) -> list[list[dict[str, Any]]]:
    """Every page of ``GET /generations`` with the query, following ``nextCursor``."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        answer = api.get(
            "/generations", token=user.access_token, query={**query, **({"cursor": cursor} if cursor else {})}
        )
        assert answer.status == 200, answer.body
        body = answer.json()
        pages.append(body["items"])
        cursor = body["nextCursor"]
        if cursor is None:
            return pages
        assert len(pages) < 20, "the cursor does not advance"


def test_the_list_is_newest_first_in_keyset_pages_without_images(api: ApiClient, user: User, history: dict[str, str]):
    # When the user lists their generations two at a time
    pages = _pages(api, user, limit=2)

    # Then the pages are newest first, two, two and one, and hold only the user's own
    assert [_names(history, page) for page in pages] == [["e", "d"], ["c", "b"], ["a"]]
    items = [item for page in pages for item in page]
    created = [item["createdAt"] for item in items]
    assert created == sorted(created, reverse=True)
    # And no item carries the image (GET /generations/{id} does)
    for item in items:
        assert "resultImageBase64" not in item
        assert {"id", "mode", "status", "prompt", "aiPromptUsed", "tokensCharged", "savedToWardrobe"} <= item.keys()
    charged = {name: item["tokensCharged"] for name, item in zip(_names(history, items), items, strict=True)}
    assert charged == {"e": 1, "d": 1, "c": 0, "b": 1, "a": 1}
    # And one page of the default size holds them all
    everything = api.get("/generations", token=user.access_token).json()
    assert _names(history, everything["items"]) == ["e", "d", "c", "b", "a"]
    assert everything["nextCursor"] is None


def test_the_list_filters_by_mode_status_and_saved_and_pages_within_a_filter(
    api: ApiClient, user: User, history: dict[str, str]
):
    cases: list[tuple[dict[str, Any], list[list[str]]]] = [
        ({"mode": "from_prompt", "limit": 2}, [["e", "c"], ["a"]]),
        ({"mode": "tryon"}, [["d"]]),
        ({"mode": "photo_text"}, [["b"]]),
        ({"status": "failed"}, [["c"]]),
        ({"status": "completed", "limit": 3}, [["e", "d", "b"], ["a"]]),
        ({"status": "pending"}, [[]]),
        ({"savedToWardrobe": "true"}, [["d"]]),
        ({"savedToWardrobe": "false"}, [["e", "c", "b", "a"]]),
        ({"mode": "from_prompt", "status": "completed", "savedToWardrobe": "false"}, [["e", "a"]]),
    ]
    for query, expected in cases:
        pages = _pages(api, user, **query)
        assert [_names(history, page) for page in pages] == expected, query


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "many"},
        {"mode": "sketch"},
        {"status": "done"},
        {"savedToWardrobe": "maybe"},
        {"cursor": "not-a-cursor"},
    ],
)
def test_a_bad_list_query_is_a_422(api: ApiClient, user: User, query: dict[str, Any]):
    answer = api.get("/generations", token=user.access_token, query=query)
    assert answer.status == 422, answer.body
    assert answer.error_code == "validation_error"


def test_a_generation_shows_its_image_and_another_users_is_never_seen(
    api: ApiClient, user: User, other_user: User, history: dict[str, str], sql: support.Sql
):
    # When the user reads one of theirs, Then it carries its image
    mine = api.get(f"/generations/{history['e']}", token=user.access_token)
    assert mine.status == 200
    assert support.decoded_data_uri(mine.json()["resultImageBase64"])[0] in ("image/png", "image/webp")
    assert mine.json()["modelUsed"] == "offline-preview"

    # When they try another user's, Then it is as if it did not exist, whatever they try
    theirs = history["theirs"]
    for method, path in (
        ("GET", f"/generations/{theirs}"),
        ("GET", f"/generations/{theirs}/image"),
        ("POST", f"/generations/{theirs}/cancel"),
        ("DELETE", f"/generations/{theirs}"),
    ):
        answer = api.call(method, path, token=user.access_token)
        assert answer.status == 404, (method, path, answer.body)
        assert answer.error_code == "not_found"
    # And it is still there, untouched, for its owner
    assert api.get(f"/generations/{theirs}", token=other_user.access_token).json()["status"] == "completed"
    # And an id that is not a UUID is a 422, one that does not exist a 404
    assert api.get("/generations/42", token=user.access_token).status == 422
    assert api.get("/generations/00000000-0000-4000-8000-000000000000", token=user.access_token).status == 404


def test_deleting_a_generation_removes_it_and_keeps_its_charge(
    api: ApiClient, user: User, history: dict[str, str], sql: support.Sql
):
    # When the user deletes a completed generation
    answer = api.delete(f"/generations/{history['e']}", token=user.access_token)

    # Then it is gone: 204, then 404 everywhere, and not listed
    assert answer.status == 204
    assert answer.body == b""
    assert api.get(f"/generations/{history['e']}", token=user.access_token).status == 404
    assert api.get(f"/generations/{history['e']}/image", token=user.access_token).status == 404
    assert api.delete(f"/generations/{history['e']}", token=user.access_token).status == 404
    listed = api.get("/generations", token=user.access_token).json()["items"]
    assert _names(history, listed) == ["d", "c", "b", "a"]
    # And what it cost stays paid (four charges, the failed one refunded)
    assert support.balance(sql, user) == 46
    assert support.ledger_kinds(sql, user=user).count("generation_refund") == 1


def test_deleting_a_running_generation_refunds_it_once(api: ApiClient, parked: str, user: User, sql: support.Sql):
    # Given a generation still running
    answer = api.post("/generations", {"mode": "from_prompt", "prompt": "a parka"}, token=user.access_token)
    assert answer.status == 202
    generation_id = answer.json()["id"]
    assert support.balance(sql, user) == 49

    # When the user deletes it
    deleted = api.delete(f"/generations/{generation_id}", token=user.access_token)

    # Then it is gone and its token is back, refunded once
    assert deleted.status == 204
    assert api.get(f"/generations/{generation_id}", token=user.access_token).status == 404
    assert support.balance(sql, user) == 50
    refunds = support.rows(
        sql,
        "SELECT note FROM token_transactions WHERE user_id = %s AND kind = 'generation_refund'",
        (user.id,),
    )
    assert [row["note"] for row in refunds] == ["deleted while running"]
    # And deleting it again changes nothing
    assert api.delete(f"/generations/{generation_id}", token=user.access_token).status == 404
    assert support.balance(sql, user) == 50
    assert len(support.ledger_kinds(sql, user=user)) == 2
