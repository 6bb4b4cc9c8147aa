"""Wardrobe collections through the gateway: create (optional cover), list, get, rename, cover, delete."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.wardrobe.helpers import jpeg, ok, png_uri
from tests.support.api import ApiClient, User
from tests.support.images import data_uri
from tests.support.sql import Sql, rows, scalar

NOT_AN_IMAGE = data_uri(b"<svg xmlns='http://www.w3.org/2000/svg'/>")


def create(api: ApiClient, user: User, name: str = "Summer", cover: str | None = None) -> dict[str, Any]:
    body = {"name": name, **({"coverImageBase64": cover} if cover else {})}
    return ok(api.post("/wardrobe/collections", body, token=user.access_token), 201)  # type: ignore[no-any-return]


def add_item(api: ApiClient, user: User, collection_id: str | None) -> dict[str, Any]:
    body = {"imageBase64": png_uri(), "collectionId": collection_id}
    return ok(api.post("/wardrobe/items", body, token=user.access_token), 201)  # type: ignore[no-any-return]


def fresh_count(sql: Sql, collection_id: str) -> int:
    return int(scalar(sql, "SELECT count(*) FROM wardrobe_items WHERE collection_id = %s", (collection_id,)))


def test_a_collection_is_created_without_a_cover(api: ApiClient, sql: Sql):
    user = api.register()
    collection = create(api, user, "  Summer looks  ")
    assert (collection["name"], collection["coverImageBase64"], collection["itemCount"]) == ("Summer looks", None, 0)
    assert set(collection) == {"id", "name", "itemCount", "createdAt", "coverImageBase64"}
    stored = rows(sql, "SELECT user_id, name FROM wardrobe_collections WHERE id = %s", (collection["id"],))
    assert [(str(r["user_id"]), r["name"]) for r in stored] == [(user.id, "Summer looks")]


def test_a_collection_is_created_with_a_cover(api: ApiClient):
    user = api.register()
    cover = data_uri(jpeg(), "image/jpeg")
    collection = create(api, user, "Winter", cover)
    assert collection["coverImageBase64"] == cover
    assert ok(api.get(f"/wardrobe/collections/{collection['id']}", token=user.access_token)) == collection


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "x", "coverImageBase64": NOT_AN_IMAGE}, 415),
        ({"name": "x", "coverImageBase64": data_uri(jpeg(), "image/webp")}, 415),
        ({"name": "x", "coverImageBase64": "https://example.com/cover.png"}, 422),
        ({"name": "   "}, 422),
        ({"name": "x" * 256}, 422),
        ({}, 422),
    ],
    ids=["cover-not-an-image", "cover-wrong-type", "cover-url", "blank-name", "long-name", "no-name"],
)
def test_a_bad_collection_is_refused_and_nothing_created(api: ApiClient, sql: Sql, body: dict[str, Any], status: int):
    user = api.register()
    answer = api.post("/wardrobe/collections", body, token=user.access_token)
    assert answer.status == status, answer.body
    assert scalar(sql, "SELECT count(*) FROM wardrobe_collections") == 0


def test_the_list_has_covers_only_when_asked_and_pages_newest_first(api: ApiClient):
    # Given three collections of a user (two with covers) and one of another user
    user, other = api.register(), api.register()
    made = [create(api, user, "one", png_uri()), create(api, user, "two"), create(api, user, "three", png_uri())]
    create(api, other, "theirs")

    # When listed without include, Then no item carries a cover key
    plain = ok(api.get("/wardrobe/collections", token=user.access_token))
    assert [c["id"] for c in plain["items"]] == [c["id"] for c in reversed(made)]
    assert all("coverImageBase64" not in c for c in plain["items"])
    assert plain["items"][0] == {k: v for k, v in made[2].items() if k != "coverImageBase64"}

    # When listed with ?include=cover, Then each carries its cover (null when it has none)
    covered = ok(api.get("/wardrobe/collections", token=user.access_token, query={"include": "cover"}))
    assert covered["items"] == list(reversed(made))

    # And pages of two follow the keyset
    first = ok(api.get("/wardrobe/collections", token=user.access_token, query={"limit": 2}))
    rest = ok(
        api.get("/wardrobe/collections", token=user.access_token, query={"limit": 2, "cursor": first["nextCursor"]})
    )
    assert [c["name"] for c in first["items"]] + [c["name"] for c in rest["items"]] == ["three", "two", "one"]
    assert rest["nextCursor"] is None
    # And an unknown include is refused
    assert api.get("/wardrobe/collections", token=user.access_token, query={"include": "items"}).status == 422


def test_a_collection_is_renamed(api: ApiClient):
    user = api.register()
    collection = create(api, user, "Old", png_uri())
    renamed = ok(api.patch(f"/wardrobe/collections/{collection['id']}", {"name": " New "}, token=user.access_token))
    assert renamed == {**collection, "name": "New"}
    assert ok(api.get(f"/wardrobe/collections/{collection['id']}", token=user.access_token)) == renamed


@pytest.mark.parametrize(
    "body", [{"name": None}, {"name": ""}, {}, {"itemCount": 7}], ids=["null-name", "blank", "empty", "item-count"]
)
def test_a_patch_that_is_not_allowed_is_422_and_changes_nothing(api: ApiClient, body: dict[str, Any]):
    user = api.register()
    collection = create(api, user, "Keep", png_uri())
    answer = api.patch(f"/wardrobe/collections/{collection['id']}", body, token=user.access_token)
    assert (answer.status, answer.error_code) == (422, "validation_error"), answer.body
    assert ok(api.get(f"/wardrobe/collections/{collection['id']}", token=user.access_token)) == collection


def test_the_cover_is_changed_refused_when_not_an_image_and_removed_with_null(api: ApiClient):
    # Given a collection with a cover
    user = api.register()
    collection = create(api, user, "Looks", png_uri((1, 1, 1)))
    path = f"/wardrobe/collections/{collection['id']}"

    # When the cover is changed, Then it is the new one
    new_cover = png_uri((2, 2, 2))
    assert (
        ok(api.patch(path, {"coverImageBase64": new_cover}, token=user.access_token))["coverImageBase64"] == new_cover
    )

    # When a non-image is sent, Then 415 and the cover stays
    refused = api.patch(path, {"coverImageBase64": NOT_AN_IMAGE}, token=user.access_token)
    assert (refused.status, refused.error_code) == (415, "unsupported_media_type")
    assert ok(api.get(path, token=user.access_token))["coverImageBase64"] == new_cover

    # When null is sent, Then the collection has no cover
    removed = ok(api.patch(path, {"coverImageBase64": None}, token=user.access_token))
    assert removed == {**collection, "coverImageBase64": None}


def test_deleting_a_collection_keeps_its_items_outside_any_collection(api: ApiClient, sql: Sql):
    # Given a collection with two items, and another with one
    user = api.register()
    gone, kept = create(api, user, "gone"), create(api, user, "kept")
    in_gone = [add_item(api, user, gone["id"]) for _ in range(2)]
    in_kept = add_item(api, user, kept["id"])

    # When the first collection is deleted
    assert api.delete(f"/wardrobe/collections/{gone['id']}", token=user.access_token).status == 204

    # Then it is gone, and its items are still there, in no collection; the other is untouched
    assert api.get(f"/wardrobe/collections/{gone['id']}", token=user.access_token).status == 404
    assert api.delete(f"/wardrobe/collections/{gone['id']}", token=user.access_token).status == 404
    for item in in_gone:
        assert ok(api.get(f"/wardrobe/items/{item['id']}", token=user.access_token))["collectionId"] is None
    assert ok(api.get(f"/wardrobe/items/{in_kept['id']}", token=user.access_token))["collectionId"] == kept["id"]
    assert ok(api.get(f"/wardrobe/collections/{kept['id']}", token=user.access_token))["itemCount"] == 1
    assert scalar(sql, "SELECT count(*) FROM wardrobe_items WHERE user_id = %s", (user.id,)) == 3
    # And an item cannot be put into the deleted collection
    answer = api.patch(f"/wardrobe/items/{in_gone[0]['id']}", {"collectionId": gone["id"]}, token=user.access_token)
    assert answer.status == 404


def test_item_count_equals_a_fresh_count_after_every_change(api: ApiClient, sql: Sql):
    user = api.register()
    a, b = create(api, user, "A"), create(api, user, "B")

    def check() -> None:
        for collection in (a, b):
            shown = ok(api.get(f"/wardrobe/collections/{collection['id']}", token=user.access_token))["itemCount"]
            assert shown == fresh_count(sql, collection["id"])

    first = add_item(api, user, a["id"])
    check()
    second = add_item(api, user, a["id"])
    check()
    api.patch(f"/wardrobe/items/{first['id']}", {"collectionId": b["id"]}, token=user.access_token)
    check()
    api.patch(f"/wardrobe/items/{first['id']}", {"title": "unmoved"}, token=user.access_token)
    check()
    api.patch(f"/wardrobe/items/{second['id']}", {"collectionId": None}, token=user.access_token)
    check()
    api.patch(f"/wardrobe/items/{second['id']}", {"collectionId": b["id"]}, token=user.access_token)
    check()
    api.delete(f"/wardrobe/items/{first['id']}", token=user.access_token)
    check()
    assert (fresh_count(sql, a["id"]), fresh_count(sql, b["id"])) == (0, 1)
