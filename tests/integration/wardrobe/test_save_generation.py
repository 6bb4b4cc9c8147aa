"""Saving a look: ``POST /generations/{id}/wardrobe`` copies a completed generation into the wardrobe.

``savedToWardrobe`` says whether at least one item still comes from the generation, whatever adds or
removes them; the item outlives the generation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from imagify.generations import service as generations
from imagify.identity.principal import Principal
from imagify.wardrobe import items
from tests.integration.wardrobe.helpers import all_at_once, completed_generation, ok, png_uri
from tests.support.api import ApiClient, User
from tests.support.images import decoded_data_uri
from tests.support.sql import Sql, scalar


def save(api: ApiClient, user: User, generation_id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = api.post(f"/generations/{generation_id}/wardrobe", body or {}, token=user.access_token)
    return ok(answer, 201)  # type: ignore[no-any-return]


def saved_flag(api: ApiClient, user: User, generation_id: str) -> bool:
    return bool(ok(api.get(f"/generations/{generation_id}", token=user.access_token))["savedToWardrobe"])


def saved_ids(api: ApiClient, user: User) -> list[str]:
    page = ok(api.get("/generations", token=user.access_token, query={"savedToWardrobe": "true"}))
    return [g["id"] for g in page["items"]]


def test_a_completed_generation_is_saved_as_an_item_with_a_copy_of_its_image(api: ApiClient, sql: Sql):
    # Given a completed generation of the user's
    user = api.register()
    generation = completed_generation(api, user, "a camel coat over a grey knit")
    assert generation["savedToWardrobe"] is False

    # When it is saved to the wardrobe with a title and tags
    item = save(api, user, generation["id"], {"title": "Camel coat", "tags": ["Winter", "coat"]})

    # Then the item names the generation, holds its image, takes its prompt as description by default
    assert item["generationId"] == generation["id"]
    assert item["imageBase64"] == generation["resultImageBase64"]
    assert (item["title"], item["tags"], item["description"]) == (
        "Camel coat",
        ["winter", "coat"],
        generation["prompt"],
    )
    mime, data = decoded_data_uri(item["imageBase64"])
    image = api.get(f"/wardrobe/items/{item['id']}/image", token=user.access_token)
    assert (image.status, image.headers["content-type"], image.body) == (200, mime, data)
    # And the generation now says it is saved, and is listed among the saved ones
    assert saved_flag(api, user, generation["id"]) is True
    assert saved_ids(api, user) == [generation["id"]]
    assert scalar(sql, "SELECT saved_to_wardrobe FROM generations WHERE id = %s", (generation["id"],)) is True


def test_saved_stays_true_until_the_last_item_from_the_generation_is_gone(api: ApiClient):
    # Given two items saved from one generation
    user = api.register()
    generation = completed_generation(api, user)
    first = save(api, user, generation["id"])
    second = save(api, user, generation["id"], {"description": "again"})
    assert first["id"] != second["id"]
    assert saved_flag(api, user, generation["id"]) is True

    # When one is deleted, Then the generation is still saved
    assert api.delete(f"/wardrobe/items/{first['id']}", token=user.access_token).status == 204
    assert saved_flag(api, user, generation["id"]) is True

    # When the other is deleted too, Then it is not
    assert api.delete(f"/wardrobe/items/{second['id']}", token=user.access_token).status == 204
    assert saved_flag(api, user, generation["id"]) is False
    assert saved_ids(api, user) == []


def test_saving_into_a_collection_counts_the_item_there(api: ApiClient):
    user = api.register()
    generation = completed_generation(api, user)
    collection = ok(api.post("/wardrobe/collections", {"name": "Looks"}, token=user.access_token), 201)

    item = save(api, user, generation["id"], {"collectionId": collection["id"]})

    assert item["collectionId"] == collection["id"]
    assert ok(api.get(f"/wardrobe/collections/{collection['id']}", token=user.access_token))["itemCount"] == 1


@pytest.mark.parametrize("status", ["pending", "processing", "failed"])
def test_a_generation_that_has_not_completed_cannot_be_saved(api: ApiClient, sql: Sql, status: str):
    # Given a generation of the user's that is not completed (written as the flow leaves it)
    user = api.register()
    row = sql.execute(
        "INSERT INTO generations (user_id, mode, status, prompt, error_message) VALUES (%s, 'from_prompt', %s,"
        " 'a coat', %s) RETURNING id",
        (user.id, status, "the model declined" if status == "failed" else None),
    ).fetchone()
    assert row is not None

    # When it is saved, Then 409, and nothing is kept
    answer = api.post(f"/generations/{row['id']}/wardrobe", {}, token=user.access_token)
    assert (answer.status, answer.error_code) == (409, "conflict")
    assert scalar(sql, "SELECT count(*) FROM wardrobe_items") == 0
    assert scalar(sql, "SELECT saved_to_wardrobe FROM generations WHERE id = %s", (row["id"],)) is False


def test_an_unknown_generation_is_404(api: ApiClient, sql: Sql):
    user = api.register()
    answer = api.post("/generations/00000000-0000-4000-8000-000000000000/wardrobe", {}, token=user.access_token)
    assert answer.status == 404
    assert scalar(sql, "SELECT count(*) FROM wardrobe_items") == 0


def test_saving_into_a_collection_that_does_not_exist_is_404_and_keeps_nothing(api: ApiClient, sql: Sql):
    user = api.register()
    generation = completed_generation(api, user)
    answer = api.post(
        f"/generations/{generation['id']}/wardrobe",
        {"collectionId": "00000000-0000-4000-8000-000000000000"},
        token=user.access_token,
    )
    assert answer.status == 404
    assert scalar(sql, "SELECT count(*) FROM wardrobe_items") == 0
    assert saved_flag(api, user, generation["id"]) is False


def test_deleting_the_generation_keeps_the_item_and_its_image(api: ApiClient, sql: Sql):
    # Given an item saved from a generation
    user = api.register()
    generation = completed_generation(api, user)
    item = save(api, user, generation["id"], {"title": "keep me"})

    # When the generation is deleted
    assert api.delete(f"/generations/{generation['id']}", token=user.access_token).status == 204
    assert api.get(f"/generations/{generation['id']}", token=user.access_token).status == 404

    # Then the item is still there, with its image, and no longer names the generation
    kept = ok(api.get(f"/wardrobe/items/{item['id']}", token=user.access_token))
    assert kept["generationId"] is None
    assert kept["imageBase64"] == generation["resultImageBase64"]
    assert {k: v for k, v in kept.items() if k not in ("generationId", "updatedAt")} == {
        k: v for k, v in item.items() if k not in ("generationId", "updatedAt")
    }
    image = api.get(f"/wardrobe/items/{item['id']}/image", token=user.access_token)
    assert (image.status, image.body) == (200, decoded_data_uri(generation["resultImageBase64"])[1])
    assert scalar(sql, "SELECT count(*) FROM generations WHERE id = %s", (UUID(generation["id"]),)) == 0


def completed_row(sql: Sql, user_id: UUID | str) -> UUID:
    row = sql.execute(
        "INSERT INTO generations (user_id, mode, status, prompt, result_image_base64)"
        " VALUES (%s, 'from_prompt', 'completed', 'a coat', %s) RETURNING id",
        (user_id, png_uri()),
    ).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


def test_saving_one_generation_many_times_at_once_keeps_every_item(api: ApiClient, sql: Sql):
    # Given a completed generation (a double click on "save" in several tabs, say)
    user = api.register()
    generation = completed_row(sql, user.id)

    # When 10 environments save it at once (the domain code on a thread and a connection each)
    def save_it() -> object:
        return items.save_generation(
            UUID(user.id), generation, title=None, description=None, collection_id=None, tags=None
        )

    outcomes = all_at_once([save_it] * 10)

    # Then every save succeeded (before the fix, share locks upgraded by the trigger deadlocked)
    assert [type(o).__name__ for o in outcomes] == ["WardrobeItemRow"] * 10
    assert scalar(sql, "SELECT count(*) FROM wardrobe_items WHERE generation_id = %s", (generation,)) == 10
    assert saved_flag(api, user, str(generation)) is True


def test_deleting_the_last_two_items_at_once_clears_saved(api: ApiClient, sql: Sql):
    # Given two items from one generation
    user = api.register()
    generation = completed_row(sql, user.id)
    first, second = (save(api, user, str(generation)) for _ in range(2))

    # When both are deleted at once
    def delete(item: dict[str, Any]) -> Callable[[], None]:
        return lambda: items.delete(UUID(user.id), UUID(item["id"]))

    outcomes = all_at_once([delete(first), delete(second)])

    # Then both went, and the generation is no longer saved (neither delete saw the other's item as left)
    assert outcomes == [None, None]
    assert saved_flag(api, user, str(generation)) is False


def test_deleting_a_generation_while_its_items_are_deleted_fails_nothing(api: ApiClient, sql: Sql):
    user = api.register()
    owner = Principal(user_id=UUID(user.id), role="user", plan="free")
    for _ in range(5):
        # Given a generation saved as four items
        generation = completed_row(sql, user.id)
        saved = [save(api, user, str(generation))["id"] for _ in range(4)]

        def delete_item(item: str) -> Callable[[], None]:
            return lambda: items.delete(UUID(user.id), UUID(item))

        def delete_generation(this: UUID = generation) -> None:
            generations.delete(owner, this)

        # When the items and the generation are deleted at once
        outcomes = all_at_once([delete_item(i) for i in saved] + [delete_generation])

        # Then nothing failed (an item delete used to lock the item, then the generation: a deadlock with the
        # generation's delete, which locks them the other way round), and all are gone
        assert [o for o in outcomes if isinstance(o, Exception)] == []
        assert scalar(sql, "SELECT count(*) FROM generations WHERE id = %s", (generation,)) == 0
        assert scalar(sql, "SELECT count(*) FROM wardrobe_items WHERE user_id = %s", (user.id,)) == 0
