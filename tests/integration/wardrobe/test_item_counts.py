"""``itemCount`` is always the true number of a collection's items, under concurrent adds, moves and deletes.

The database keeps it (0007's trigger). The first test sends 20 requests at once through the gateway. The
local stack runs one invocation at a time, so the others run the domain code on threads with a connection
each, as concurrent Lambda environments would. Two of them used to deadlock: opposite moves at once (fixed by
0008, which locks both collections in id order), and moving items out of a collection while it is deleted
(fixed in ``collections.delete``, which locks the items before the collection).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

import pytest

from imagify import db
from imagify.wardrobe import collections, items
from tests.integration.wardrobe.helpers import all_at_once, ok, png_uri
from tests.support.api import ApiClient, ApiResponse
from tests.support.sql import Sql, rows, scalar


def counts_are_true(sql: Sql) -> dict[str, tuple[int, int]]:
    """Each collection's stored item_count and a fresh count(*) of its items, by name."""
    return {
        r["name"]: (r["item_count"], r["fresh"])
        for r in rows(
            sql,
            "SELECT name, item_count, (SELECT count(*) FROM wardrobe_items i WHERE i.collection_id = c.id) AS fresh"
            " FROM wardrobe_collections c",
        )
    }


def test_twenty_concurrent_requests_leave_every_count_true(api: ApiClient, sql: Sql):
    # Given two collections of 10 items each
    user = api.register()

    def call(method: str, path: str, body: Any = None) -> ApiResponse:
        return api.call(method, path, body, token=user.access_token)

    a = ok(call("POST", "/wardrobe/collections", {"name": "A"}), 201)["id"]
    b = ok(call("POST", "/wardrobe/collections", {"name": "B"}), 201)["id"]
    in_a = [
        ok(call("POST", "/wardrobe/items", {"imageBase64": png_uri(), "collectionId": a}), 201)["id"] for _ in range(10)
    ]
    in_b = [
        ok(call("POST", "/wardrobe/items", {"imageBase64": png_uri(), "collectionId": b}), 201)["id"] for _ in range(10)
    ]

    # When 20 requests come at once: 5 adds (3 to A, 2 to B), 7 moves (4 A->B, 2 B->A, 1 B->none), 8 deletes
    def add(to: str) -> Callable[[], ApiResponse]:
        return lambda: call("POST", "/wardrobe/items", {"imageBase64": png_uri(), "collectionId": to})

    def move(item: str, to: str | None) -> Callable[[], ApiResponse]:
        return lambda: call("PATCH", f"/wardrobe/items/{item}", {"collectionId": to})

    def delete(item: str) -> Callable[[], ApiResponse]:
        return lambda: call("DELETE", f"/wardrobe/items/{item}")

    jobs = [add(a), add(a), add(a), add(b), add(b)]
    jobs += [move(i, b) for i in in_a[:4]] + [move(i, a) for i in in_b[:2]] + [move(in_b[2], None)]
    jobs += [delete(i) for i in in_a[4:9]] + [delete(i) for i in in_b[3:6]]
    assert len(jobs) == 20
    answers = all_at_once(jobs)

    # Then every request succeeded
    assert [a.status if isinstance(a, ApiResponse) else a for a in answers] == [201] * 5 + [200] * 7 + [204] * 8
    # And each count is the fresh count: A = 10 + 3 - 4 + 2 - 5 = 6, B = 10 + 2 + 4 - 2 - 1 - 3 = 10
    assert counts_are_true(sql) == {"A": (6, 6), "B": (10, 10)}
    listed = ok(call("GET", "/wardrobe/collections"))["items"]
    assert {c["name"]: c["itemCount"] for c in listed} == {"A": 6, "B": 10}
    in_a_now = ok(api.get("/wardrobe/items", token=user.access_token, query={"collectionId": a, "limit": 100}))
    assert len(in_a_now["items"]) == 6


def make_item(owner: UUID, collection: UUID) -> UUID:
    return items.create(
        owner, image_base64=png_uri(), title=None, description=None, collection_id=collection, tags=None
    ).id


@pytest.fixture
def owner(sql: Sql) -> UUID:
    row = sql.execute("INSERT INTO users (email) VALUES ('owner@example.com') RETURNING id").fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def test_opposite_moves_at_once_all_succeed_and_keep_the_counts(owner: UUID, sql: Sql):
    # Given 20 items in A and 20 in B
    a = collections.create(owner, "A", None).id
    b = collections.create(owner, "B", None).id
    in_a = [
        items.create(owner, image_base64=png_uri(), title=None, description=None, collection_id=a, tags=None).id
        for _ in range(20)
    ]
    in_b = [
        items.create(owner, image_base64=png_uri(), title=None, description=None, collection_id=b, tags=None).id
        for _ in range(20)
    ]
    db.reset()

    # When 40 environments at once each move an item to the other collection and back, three times
    def shuttle(item: UUID, there: UUID, back: UUID) -> Callable[[], None]:
        def run() -> None:
            for _ in range(3):
                items.update(owner, item, {"collection_id": there})
                items.update(owner, item, {"collection_id": back})
            items.update(owner, item, {"collection_id": there})

        return run

    outcomes = all_at_once([shuttle(i, b, a) for i in in_a] + [shuttle(i, a, b) for i in in_b])

    # Then no move failed (no deadlock), and the counts are true: every item ended in the other collection
    assert outcomes == [None] * 40
    assert counts_are_true(sql) == {"A": (20, 20), "B": (20, 20)}
    assert scalar(sql, "SELECT count(*) FROM wardrobe_items WHERE collection_id = %s", (a,)) == 20
    assert {r["id"] for r in rows(sql, "SELECT id FROM wardrobe_items WHERE collection_id = %s", (a,))} == set(in_b)


def test_adds_deletes_and_moves_at_once_keep_the_counts(owner: UUID, sql: Sql):
    # Given three collections with 10 items each
    ids = [collections.create(owner, name, None).id for name in ("A", "B", "C")]
    held = {
        c: [
            items.create(owner, image_base64=png_uri(), title=None, description=None, collection_id=c, tags=None).id
            for _ in range(10)
        ]
        for c in ids
    }
    db.reset()

    def add(to: UUID) -> Callable[[], object]:
        return lambda: items.create(
            owner, image_base64=png_uri(), title=None, description=None, collection_id=to, tags=None
        )

    def move(item: UUID, to: UUID | None) -> Callable[[], object]:
        return lambda: items.update(owner, item, {"collection_id": to})

    def delete(item: UUID) -> Callable[[], object]:
        return lambda: items.delete(owner, item)

    # When 30 environments add, move (in a ring, and out of any collection) and delete at once
    a, b, c = ids
    jobs = [add(x) for x in ids for _ in range(3)]
    jobs += [move(held[a][n], b) for n in range(3)] + [move(held[b][n], c) for n in range(3)]
    jobs += [move(held[c][n], a) for n in range(3)] + [move(held[a][3], None)]
    jobs += [delete(held[x][n]) for x in ids for n in (5, 6)] + [delete(held[c][7]), delete(held[c][8])]
    outcomes = all_at_once(jobs)

    # Then nothing failed, and each count is the fresh count
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert counts_are_true(sql) == {"A": (10, 10), "B": (11, 11), "C": (9, 9)}


def test_deleting_a_collection_while_its_items_are_moved_out_fails_nothing(owner: UUID, sql: Sql):
    # Given rounds of a collection of 8 items and another collection
    for _ in range(5):
        source = collections.create(owner, "source", None).id
        target = collections.create(owner, "target", None).id
        held = [make_item(owner, source) for _ in range(8)]
        db.reset()

        def move(item: UUID, to: UUID) -> Callable[[], object]:
            return lambda: items.update(owner, item, {"collection_id": to})

        def delete_source(collection: UUID = source) -> None:
            collections.delete(owner, collection)

        # When the items are moved out and the collection deleted, all at once
        outcomes = all_at_once([move(i, target) for i in held] + [delete_source])

        # Then nothing failed (the delete used to lock the items after the collection, and deadlocked), every
        # item is in the target, and the count is true
        assert [o for o in outcomes if isinstance(o, Exception)] == []
        assert scalar(sql, "SELECT count(*) FROM wardrobe_collections WHERE id = %s", (source,)) == 0
        assert scalar(sql, "SELECT count(*) FROM wardrobe_items WHERE collection_id = %s", (target,)) == 8
        assert scalar(sql, "SELECT item_count FROM wardrobe_collections WHERE id = %s", (target,)) == 8


def test_a_writer_that_also_counts_as_the_seed_invites_leaves_the_true_count(sql: Sql):
    # Given a collection, and a writer (the frontend) that adds 1 to item_count when it adds an item
    user = scalar(sql, "INSERT INTO users (email) VALUES ('counts@example.com') RETURNING id")
    collection = scalar(
        sql, "INSERT INTO wardrobe_collections (user_id, name, item_count) VALUES (%s, 'C', 5) RETURNING id", (user,)
    )
    for _ in range(3):
        with sql.transaction():
            sql.execute(
                "INSERT INTO wardrobe_items (user_id, image_base64, collection_id) VALUES (%s, %s, %s)",
                (user, png_uri(), collection),
            )
            sql.execute("UPDATE wardrobe_collections SET item_count = item_count + 1 WHERE id = %s", (collection,))
    # Then the count is the number of items (not 6, nor the 5 it was created with), and stays so on removal
    assert counts_are_true(sql) == {"C": (3, 3)}
    with sql.transaction():
        sql.execute("DELETE FROM wardrobe_items WHERE id = (SELECT min(id::text)::uuid FROM wardrobe_items)")
        sql.execute("UPDATE wardrobe_collections SET item_count = item_count - 1 WHERE id = %s", (collection,))
    sql.execute("UPDATE wardrobe_collections SET item_count = 40 WHERE id = %s", (collection,))
    assert counts_are_true(sql) == {"C": (2, 2)}


def test_renaming_an_item_while_its_collection_is_deleted_never_fails(sql: Sql):
    # Given 30 collections of one item each
    user = UUID(str(scalar(sql, "INSERT INTO users (email) VALUES ('race@example.com') RETURNING id")))
    pairs = []
    for n in range(30):
        collection = collections.create(user, f"C{n}", None)
        item = items.create(
            user, image_base64=png_uri(), title="t", description=None, collection_id=collection.id, tags=None
        )
        pairs.append((collection.id, item.id))

    # When each item's title is changed (naming its same collection) while that collection is deleted
    outcomes = []
    for collection_id, item_id in pairs:
        rename = partial(items.update, user, item_id, {"title": "new", "collection_id": collection_id})
        outcomes += all_at_once([rename, partial(collections.delete, user, collection_id)])

    # Then nothing failed (one lock order; a deadlock Postgres still picks is retried) or the item was
    # renamed into a collection deleted just before (a 404 for that request, not an error)
    failures = [o for o in outcomes if isinstance(o, Exception) and type(o).__name__ != "NotFound"]
    assert failures == []
    assert scalar(sql, "SELECT count(*) FROM wardrobe_collections") == 0
