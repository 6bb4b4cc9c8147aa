"""Wardrobe items through the gateway: create, list (keyset, by collection, by tag), read, image, change, delete."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from PIL import Image as PILImage

from tests.fakes.gemini import png
from tests.integration.wardrobe.helpers import jpeg, ok, png_uri
from tests.support.api import ApiClient, User
from tests.support.images import data_uri
from tests.support.sql import Sql, rows, scalar


def create_item(api: ApiClient, user: User, **fields: Any) -> dict[str, Any]:
    body = {"imageBase64": png_uri(), **fields}
    return ok(api.post("/wardrobe/items", body, token=user.access_token), 201)  # type: ignore[no-any-return]


def create_collection(api: ApiClient, user: User, name: str = "Summer") -> dict[str, Any]:
    return ok(api.post("/wardrobe/collections", {"name": name}, token=user.access_token), 201)  # type: ignore[no-any-return]


def item_count(api: ApiClient, user: User, collection_id: str) -> int:
    return int(ok(api.get(f"/wardrobe/collections/{collection_id}", token=user.access_token))["itemCount"])


def test_an_item_is_created_from_a_data_uri_with_its_tags_normalised(api: ApiClient, sql: Sql):
    # Given a user and a PNG
    user = api.register()
    image = png_uri((1, 2, 3))

    # When they keep it with messy tags
    item = create_item(
        api,
        user,
        imageBase64=image,
        title="  Linen shirt  ",
        description="for hot days",
        tags=["  Summer ", "LINEN", "summer", "linen ", "Beach"],
    )

    # Then it is stored trimmed, with tags trimmed, lower-cased and de-duplicated in their first order
    assert item["tags"] == ["summer", "linen", "beach"]
    assert item["title"] == "Linen shirt"
    assert (item["description"], item["imageBase64"]) == ("for hot days", image)
    assert (item["userId"], item["generationId"], item["collectionId"]) == (user.id, None, None)
    row = sql.execute("SELECT tags, image_base64, title FROM wardrobe_items WHERE id = %s", (item["id"],)).fetchone()
    assert row is not None
    assert (row["tags"], row["image_base64"], row["title"]) == (["summer", "linen", "beach"], image, "Linen shirt")


def test_a_jpeg_and_a_webp_are_kept_as_they_came(api: ApiClient):
    user = api.register()
    webp = BytesIO()
    PILImage.new("RGB", (10, 10), (0, 0, 255)).save(webp, "WEBP")
    for image in (data_uri(jpeg(), "image/jpeg"), data_uri(webp.getvalue(), "image/webp")):
        assert create_item(api, user, imageBase64=image)["imageBase64"] == image


@pytest.mark.parametrize(
    ("image", "status", "code"),
    [
        (data_uri(b"just some text, not a picture"), 415, "unsupported_media_type"),
        (data_uri(jpeg(), "image/png"), 415, "unsupported_media_type"),  # a JPEG that says it is a PNG
        (data_uri(png()[:40]), 415, "unsupported_media_type"),  # a truncated PNG
        (data_uri(b"GIF89a", "image/gif"), 415, "unsupported_media_type"),  # not a type the API takes
        ("data:text/plain;base64,aGVsbG8=", 415, "unsupported_media_type"),
        ("https://example.com/shirt.png", 422, "validation_error"),
    ],
    ids=["text-as-png", "jpeg-as-png", "truncated-png", "gif", "text-plain", "url"],
)
def test_what_is_not_a_png_jpeg_or_webp_image_is_refused_and_nothing_kept(
    api: ApiClient, sql: Sql, image: str, status: int, code: str
):
    user = api.register()
    answer = api.post("/wardrobe/items", {"imageBase64": image}, token=user.access_token)
    assert (answer.status, answer.error_code) == (status, code), answer.body
    assert scalar(sql, "SELECT count(*) FROM wardrobe_items") == 0


@pytest.mark.parametrize(
    "tags",
    [[f"t{n}" for n in range(21)], ["x" * 41], ["   "], [""], "summer", [1]],
    ids=["21-tags", "41-chars", "blank", "empty", "not-a-list", "not-strings"],
)
def test_tags_out_of_bounds_are_422(api: ApiClient, sql: Sql, tags: Any):
    user = api.register()
    answer = api.post("/wardrobe/items", {"imageBase64": png_uri(), "tags": tags}, token=user.access_token)
    assert (answer.status, answer.error_code) == (422, "validation_error"), answer.body
    assert scalar(sql, "SELECT count(*) FROM wardrobe_items") == 0


def test_twenty_tags_of_forty_characters_are_fine(api: ApiClient):
    user = api.register()
    tags = [f"{n:02d}" + "x" * 38 for n in range(20)]
    assert create_item(api, user, tags=tags)["tags"] == tags


def test_an_item_in_a_collection_is_counted_there(api: ApiClient):
    user = api.register()
    collection = create_collection(api, user)
    item = create_item(api, user, collectionId=collection["id"])
    assert item["collectionId"] == collection["id"]
    assert item_count(api, user, collection["id"]) == 1


def test_the_list_is_newest_first_in_keyset_pages_without_images(api: ApiClient):
    # Given five items of a user and one of another
    user, other = api.register(), api.register()
    made = [create_item(api, user, title=f"item {n}") for n in range(5)]
    create_item(api, other)

    # When they are listed two at a time
    seen: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ok(api.get("/wardrobe/items", token=user.access_token, query=query))
        seen += page["items"]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            break

    # Then all five come, newest first, in three pages, without the image, otherwise as created
    assert pages == 3
    assert [i["id"] for i in seen] == [i["id"] for i in reversed(made)]
    assert all("imageBase64" not in i for i in seen)
    assert seen[0] == {k: v for k, v in made[4].items() if k != "imageBase64"}


def test_a_bad_cursor_or_limit_is_422(api: ApiClient):
    user = api.register()
    assert api.get("/wardrobe/items", token=user.access_token, query={"cursor": "nonsense!"}).status == 422
    assert api.get("/wardrobe/items", token=user.access_token, query={"limit": 0}).status == 422
    assert api.get("/wardrobe/items", token=user.access_token, query={"limit": 101}).status == 422


def test_the_list_filters_by_collection_and_by_tag(api: ApiClient):
    # Given items in two collections and none, with various tags
    user = api.register()
    summer, winter = create_collection(api, user, "Summer"), create_collection(api, user, "Winter")
    shirt = create_item(api, user, collectionId=summer["id"], tags=["linen", "top"])
    shorts = create_item(api, user, collectionId=summer["id"], tags=["cotton"])
    coat = create_item(api, user, collectionId=winter["id"], tags=["wool", "top"])
    loose = create_item(api, user, tags=["top"])

    def listed(**query: str) -> list[str]:
        return [i["id"] for i in ok(api.get("/wardrobe/items", token=user.access_token, query=query))["items"]]

    # Then each filter gives exactly its items, newest first; the tag is matched case-insensitively
    assert listed(collectionId=summer["id"]) == [shorts["id"], shirt["id"]]
    assert listed(collectionId=winter["id"]) == [coat["id"]]
    assert listed(tag="top") == [loose["id"], coat["id"], shirt["id"]]
    spaced = ok(api.get("/wardrobe/items?tag=%20TOP%20", token=user.access_token))["items"]  # (%20: see below)
    assert [i["id"] for i in spaced] == [loose["id"], coat["id"], shirt["id"]]
    assert listed(tag="top", collectionId=summer["id"]) == [shirt["id"]]
    assert listed(tag="silk") == []
    assert listed() == [loose["id"], coat["id"], shorts["id"], shirt["id"]]
    assert api.get("/wardrobe/items", token=user.access_token, query={"collectionId": "nope"}).status == 422
    # (API Gateway keeps a "+" in a query string as it is, so a space must be sent as %20)


def test_an_item_is_read_with_its_image(api: ApiClient):
    user = api.register()
    item = create_item(api, user, title="coat", tags=["wool"])
    assert ok(api.get(f"/wardrobe/items/{item['id']}", token=user.access_token)) == item


def test_the_image_route_serves_the_bytes_with_validators(api: ApiClient):
    # Given an item
    user = api.register()
    picture = png(33, 44, (9, 99, 199))
    item = create_item(api, user, imageBase64=data_uri(picture))
    path = f"/wardrobe/items/{item['id']}/image"

    # When its image is fetched, Then the bytes come with their type, an ETag and a long private cache
    first = api.get(path, token=user.access_token)
    assert first.status == 200
    assert first.body == picture
    assert first.headers["content-type"] == "image/png"
    assert first.headers["cache-control"] == "private, max-age=31536000, immutable"
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')

    # And a revalidation with that ETag is a 304 without a body; another ETag gets the bytes again
    again = api.get(path, token=user.access_token, headers={"If-None-Match": etag})
    assert (again.status, again.body, again.headers["etag"]) == (304, b"", etag)
    assert api.get(path, token=user.access_token, headers={"If-None-Match": '"other"'}).body == picture
    # And an item with another image has another ETag
    other = create_item(api, user, imageBase64=data_uri(png(33, 44, (10, 99, 199))))
    assert api.get(f"/wardrobe/items/{other['id']}/image", token=user.access_token).headers["etag"] != etag


def test_a_jpeg_image_is_served_as_jpeg(api: ApiClient):
    user = api.register()
    picture = jpeg()
    item = create_item(api, user, imageBase64=data_uri(picture, "image/jpeg"))
    answer = api.get(f"/wardrobe/items/{item['id']}/image", token=user.access_token)
    assert (answer.status, answer.headers["content-type"], answer.body) == (200, "image/jpeg", picture)


def test_patch_changes_only_what_is_sent(api: ApiClient, sql: Sql):
    # Given an item with a title, description and tags
    user = api.register()
    item = create_item(api, user, title="old", description="desc", tags=["a", "b"])

    # When the title is changed
    changed = ok(api.patch(f"/wardrobe/items/{item['id']}", {"title": "  new  "}, token=user.access_token))

    # Then only the title changed (and updatedAt moved on)
    assert changed["title"] == "new"
    assert {k: v for k, v in changed.items() if k not in ("title", "updatedAt")} == {
        k: v for k, v in item.items() if k not in ("title", "updatedAt")
    }
    assert changed["updatedAt"] > item["updatedAt"]

    # And null clears the description, [] clears the tags, and tags are normalised as on create
    cleared = ok(api.patch(f"/wardrobe/items/{item['id']}", {"description": None, "tags": []}, token=user.access_token))
    assert (cleared["description"], cleared["tags"], cleared["title"]) == (None, [], "new")
    retagged = ok(api.patch(f"/wardrobe/items/{item['id']}", {"tags": [" X ", "x", "Y"]}, token=user.access_token))
    assert retagged["tags"] == ["x", "y"]
    assert scalar(sql, "SELECT tags FROM wardrobe_items WHERE id = %s", (item["id"],)) == ["x", "y"]


@pytest.mark.parametrize(
    "body",
    [{"tags": None}, {}, {"title": ""}, {"imageBase64": png_uri()}, {"collectionId": "not-a-uuid"}],
    ids=["null-tags", "empty", "blank-title", "image-not-patchable", "bad-collection-id"],
)
def test_a_patch_that_is_not_allowed_is_422_and_changes_nothing(api: ApiClient, body: dict[str, Any]):
    user = api.register()
    item = create_item(api, user, title="t", tags=["a"])
    answer = api.patch(f"/wardrobe/items/{item['id']}", body, token=user.access_token)
    assert (answer.status, answer.error_code) == (422, "validation_error"), answer.body
    assert ok(api.get(f"/wardrobe/items/{item['id']}", token=user.access_token)) == item


def test_patch_moves_an_item_between_collections_and_null_takes_it_out(api: ApiClient, sql: Sql):
    # Given an item in a collection, and another collection
    user = api.register()
    summer, winter = create_collection(api, user, "Summer"), create_collection(api, user, "Winter")
    item = create_item(api, user, collectionId=summer["id"])
    path = f"/wardrobe/items/{item['id']}"

    # When it is moved, Then it is in the other collection, and both counts follow
    moved = ok(api.patch(path, {"collectionId": winter["id"]}, token=user.access_token))
    assert moved["collectionId"] == winter["id"]
    assert (item_count(api, user, summer["id"]), item_count(api, user, winter["id"])) == (0, 1)

    # When collectionId is null, Then it is in no collection, and no count holds it
    out = ok(api.patch(path, {"collectionId": None}, token=user.access_token))
    assert out["collectionId"] is None
    assert (item_count(api, user, summer["id"]), item_count(api, user, winter["id"])) == (0, 0)
    assert scalar(sql, "SELECT collection_id FROM wardrobe_items WHERE id = %s", (item["id"],)) is None

    # And moving into a collection that does not exist is 404, the item staying where it was
    missing = api.patch(path, {"collectionId": "00000000-0000-4000-8000-000000000000"}, token=user.access_token)
    assert missing.status == 404
    assert ok(api.get(path, token=user.access_token))["collectionId"] is None


def test_creating_into_a_collection_that_does_not_exist_is_404(api: ApiClient, sql: Sql):
    user = api.register()
    answer = api.post(
        "/wardrobe/items",
        {"imageBase64": png_uri(), "collectionId": "00000000-0000-4000-8000-000000000000"},
        token=user.access_token,
    )
    assert answer.status == 404
    assert scalar(sql, "SELECT count(*) FROM wardrobe_items") == 0


def test_delete_removes_the_item_and_uncounts_it(api: ApiClient, sql: Sql):
    user = api.register()
    collection = create_collection(api, user)
    kept, gone = (create_item(api, user, collectionId=collection["id"]) for _ in range(2))

    assert api.delete(f"/wardrobe/items/{gone['id']}", token=user.access_token).status == 204

    assert api.get(f"/wardrobe/items/{gone['id']}", token=user.access_token).status == 404
    assert api.get(f"/wardrobe/items/{gone['id']}/image", token=user.access_token).status == 404
    assert api.patch(f"/wardrobe/items/{gone['id']}", {"title": "x"}, token=user.access_token).status == 404
    assert api.delete(f"/wardrobe/items/{gone['id']}", token=user.access_token).status == 404
    assert [i["id"] for i in ok(api.get("/wardrobe/items", token=user.access_token))["items"]] == [kept["id"]]
    assert item_count(api, user, collection["id"]) == 1
    assert [str(r["id"]) for r in rows(sql, "SELECT id FROM wardrobe_items")] == [kept["id"]]
