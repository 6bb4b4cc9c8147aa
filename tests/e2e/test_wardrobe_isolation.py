"""One user's wardrobe is invisible to another: B can neither read, change, move into nor delete A's items and
collections, nor save A's generation. Every attempt is a 404 (never a 403 that would confirm the id exists),
and afterwards A's data is exactly as it was."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.integration.wardrobe.helpers import completed_generation, ok, png_uri
from tests.support.api import ApiClient, User


@dataclass
class Wardrobe:
    owner: User
    collection: dict[str, Any]
    item: dict[str, Any]
    generation: dict[str, Any]


def snapshot(api: ApiClient, wardrobe: Wardrobe) -> dict[str, Any]:
    """What A sees of their own things."""
    token = wardrobe.owner.access_token
    return {
        "item": ok(api.get(f"/wardrobe/items/{wardrobe.item['id']}", token=token)),
        "image": api.get(f"/wardrobe/items/{wardrobe.item['id']}/image", token=token).body,
        "collection": ok(api.get(f"/wardrobe/collections/{wardrobe.collection['id']}", token=token)),
        "items": ok(api.get("/wardrobe/items", token=token)),
        "collections": ok(api.get("/wardrobe/collections", token=token, query={"include": "cover"})),
        "generation": ok(api.get(f"/generations/{wardrobe.generation['id']}", token=token)),
    }


@pytest.fixture
def a(api: ApiClient) -> Wardrobe:
    owner = api.register()
    token = owner.access_token
    collection = ok(api.post("/wardrobe/collections", {"name": "A's", "coverImageBase64": png_uri()}, token=token), 201)
    item = ok(
        api.post(
            "/wardrobe/items",
            {"imageBase64": png_uri(), "title": "A's shirt", "collectionId": collection["id"], "tags": ["mine"]},
            token=token,
        ),
        201,
    )
    return Wardrobe(owner, collection, item, completed_generation(api, owner))


@pytest.fixture
def b(api: ApiClient) -> User:
    return api.register()


def test_b_cannot_read_change_or_delete_as_items(api: ApiClient, a: Wardrobe, b: User):
    before = snapshot(api, a)
    path = f"/wardrobe/items/{a.item['id']}"
    b_collection = ok(api.post("/wardrobe/collections", {"name": "B's"}, token=b.access_token), 201)

    attempts = {
        "get": api.get(path, token=b.access_token),
        "image": api.get(f"{path}/image", token=b.access_token),
        "rename": api.patch(path, {"title": "stolen"}, token=b.access_token),
        "retag": api.patch(path, {"tags": []}, token=b.access_token),
        "take out of its collection": api.patch(path, {"collectionId": None}, token=b.access_token),
        "move into b's collection": api.patch(path, {"collectionId": b_collection["id"]}, token=b.access_token),
        "delete": api.delete(path, token=b.access_token),
    }

    assert {name: answer.status for name, answer in attempts.items()} == dict.fromkeys(attempts, 404)
    assert all(answer.error_code == "not_found" for answer in attempts.values())
    assert snapshot(api, a) == before
    # And B's lists hold nothing of A's, even when filtered by A's collection or tag
    for query in ({}, {"collectionId": a.collection["id"]}, {"tag": "mine"}):
        assert ok(api.get("/wardrobe/items", token=b.access_token, query=query))["items"] == []
    assert ok(api.get(f"/wardrobe/collections/{b_collection['id']}", token=b.access_token))["itemCount"] == 0


def test_b_cannot_read_change_or_delete_as_collections(api: ApiClient, a: Wardrobe, b: User):
    before = snapshot(api, a)
    path = f"/wardrobe/collections/{a.collection['id']}"

    attempts = {
        "get": api.get(path, token=b.access_token),
        "rename": api.patch(path, {"name": "stolen"}, token=b.access_token),
        "change cover": api.patch(path, {"coverImageBase64": png_uri((0, 0, 0))}, token=b.access_token),
        "remove cover": api.patch(path, {"coverImageBase64": None}, token=b.access_token),
        "delete": api.delete(path, token=b.access_token),
    }

    assert {name: answer.status for name, answer in attempts.items()} == dict.fromkeys(attempts, 404)
    assert snapshot(api, a) == before
    assert ok(api.get("/wardrobe/collections", token=b.access_token, query={"include": "cover"}))["items"] == []


def test_b_cannot_put_an_item_into_as_collection(api: ApiClient, a: Wardrobe, b: User, database: str):
    before = snapshot(api, a)
    b_item = ok(api.post("/wardrobe/items", {"imageBase64": png_uri()}, token=b.access_token), 201)
    into_a = {"collectionId": a.collection["id"]}

    created = api.post("/wardrobe/items", {"imageBase64": png_uri(), **into_a}, token=b.access_token)
    moved = api.patch(f"/wardrobe/items/{b_item['id']}", into_a, token=b.access_token)
    saved = api.post(f"/generations/{completed_generation(api, b)['id']}/wardrobe", into_a, token=b.access_token)

    assert (created.status, moved.status, saved.status) == (404, 404, 404)
    assert snapshot(api, a) == before
    assert ok(api.get(f"/wardrobe/items/{b_item['id']}", token=b.access_token))["collectionId"] is None
    with psycopg.connect(database, row_factory=dict_row) as sql:
        owners = sql.execute(
            "SELECT DISTINCT user_id::text AS id FROM wardrobe_items WHERE collection_id = %s", (a.collection["id"],)
        ).fetchall()
    assert [r["id"] for r in owners] == [a.owner.id]


def test_b_cannot_save_as_generation(api: ApiClient, a: Wardrobe, b: User):
    before = snapshot(api, a)

    answer = api.post(f"/generations/{a.generation['id']}/wardrobe", {}, token=b.access_token)

    assert (answer.status, answer.error_code) == (404, "not_found")
    assert ok(api.get("/wardrobe/items", token=b.access_token))["items"] == []
    assert snapshot(api, a) == before
    assert before["generation"]["savedToWardrobe"] is False
