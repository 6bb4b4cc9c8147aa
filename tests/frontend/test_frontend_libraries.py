"""What the Next.js frontend does to the shared database with its own libraries (drizzle-orm, Auth.js's Drizzle
adapter, bcryptjs, node-postgres), and what the backend's API must make of it. The frontend's code is the seed's:
its schema.ts (tests/frontend/seed-schema.ts) and the writes the seed's model invites."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from PIL import Image

from tests.support.api import ApiClient, ApiResponse, User
from tests.support.sql import Sql

from .conftest import Node

pytestmark = pytest.mark.frontend

PASSWORD = "correct horse battery"
MIXED_CASE = "Mixed.Case@Example.com"


def ok(answer: ApiResponse, status: int = 200) -> Any:
    assert answer.status == status, (answer.status, answer.body[:500])
    return answer.json()


def stored_hash(sql: Sql, user_id: str) -> str:
    row = sql.execute("SELECT password_hash FROM users WHERE id = %s", (user_id,)).fetchone()
    assert row is not None
    return str(row["password_hash"])


def frontend_user(node: Node, email: str, password: str = PASSWORD, bcrypt_version: str = "2b") -> dict[str, Any]:
    """A user the frontend signed up: a bcryptjs hash, and the row written by Auth.js's adapter."""
    hashed = node.run("bcrypt.mjs", "hash", bcrypt_version, env={"PASSWORD": password})["hash"]
    user: dict[str, Any] = node.run("adapter.mjs", "create-user", email, env={"PASSWORD_HASH": hashed})["user"]
    return user


def bcryptjs_matches(node: Node, password: str, hashed: str) -> bool:
    return bool(node.run("bcrypt.mjs", "compare", env={"PASSWORD": password, "HASH": hashed})["match"])


# ---- a. Passwords: one hash both sides verify ----


def test_bcryptjs_verifies_the_password_of_a_user_the_backend_registered(api: ApiClient, sql: Sql, node: Node):
    # Given a user who signed up through the backend's API
    user = api.register(password=PASSWORD)

    # When the frontend's credentials sign-in checks the stored hash with bcryptjs
    hashed = stored_hash(sql, user.id)

    # Then the password matches, and a wrong one does not
    assert bcryptjs_matches(node, PASSWORD, hashed), hashed[:7]
    assert not bcryptjs_matches(node, PASSWORD + "!", hashed)


@pytest.mark.parametrize("bcrypt_version", ["2a", "2b"])
def test_a_bcryptjs_hash_still_verifies_after_the_backend_signs_the_user_in(
    api: ApiClient, sql: Sql, node: Node, bcrypt_version: str
):
    # Given a user the frontend signed up, with a bcryptjs hash ($2a$ from bcryptjs 2, $2b$ from bcryptjs 3)
    user = frontend_user(node, f"bcrypt-{bcrypt_version}@example.com", bcrypt_version=bcrypt_version)
    assert stored_hash(sql, user["id"]).startswith(f"${bcrypt_version}$")

    # When they sign in through the backend
    signed_in = ok(api.post("/auth/login", {"email": user["email"], "password": PASSWORD}))

    # Then they are that user, and the hash stored afterwards (rehashed or not) still verifies with bcryptjs
    assert signed_in["user"]["id"] == user["id"]
    assert bcryptjs_matches(node, PASSWORD, stored_hash(sql, user["id"]))


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("a" * 73, id="73-ascii"),
        pytest.param("é" * 37, id="37-accented-74-bytes"),
        pytest.param("correct horse " + "🙂" * 15, id="emoji-74-bytes"),
    ],
)
def test_a_password_bcrypt_cannot_read_whole_is_refused_at_sign_up(api: ApiClient, sql: Sql, password: str):
    # Given a password longer than the 72 bytes of UTF-8 that bcrypt (and so bcryptjs) reads
    assert len(password.encode()) > 72

    # When someone signs up with it
    answer = api.post("/auth/register", {"email": "long-password@example.com", "password": password})

    # Then it is refused as invalid, and no account is made
    assert answer.status == 422, answer.body[:500]
    assert sql.execute("SELECT count(*) AS n FROM users").fetchone() == {"n": 0}


# ---- b. Addresses: stored as typed, one account whatever the case ----


def test_the_adapter_finds_a_user_the_backend_registered_by_the_address_as_typed(api: ApiClient, node: Node):
    # Given a user who signed up through the backend with capitals in their address
    user = api.register(email=MIXED_CASE, password=PASSWORD)

    # When Auth.js looks them up by that address (its adapter compares exactly)
    found = node.run("adapter.mjs", "get-user-by-email", MIXED_CASE)["user"]

    # Then it finds them
    assert found is not None, "getUserByEmail found nobody: the backend did not store the address as typed"
    assert found["id"] == user.id
    assert found["email"] == MIXED_CASE


@pytest.mark.parametrize("typed", ["mixed.case@example.com", MIXED_CASE])
def test_a_user_the_adapter_created_signs_in_through_the_backend_whatever_the_case(
    api: ApiClient, node: Node, typed: str
):
    # Given a user the frontend signed up as Mixed.Case@Example.com with a bcryptjs hash
    user = frontend_user(node, MIXED_CASE)

    # When they sign in through the backend, typing the address in another case or the same
    answer = api.post("/auth/login", {"email": typed, "password": PASSWORD})

    # Then they are signed in as that user
    assert ok(answer)["user"]["id"] == user["id"]


def test_registering_an_address_the_frontend_holds_in_another_case_conflicts(api: ApiClient, sql: Sql, node: Node):
    # Given a user the frontend signed up as Mixed.Case@Example.com
    frontend_user(node, MIXED_CASE)

    # When someone signs up through the backend as mixed.case@EXAMPLE.com
    answer = api.post("/auth/register", {"email": "mixed.case@EXAMPLE.com", "password": PASSWORD})

    # Then it is a conflict, and there is still one account for the address
    assert answer.status == 409, answer.body[:500]
    count = sql.execute("SELECT count(*) AS n FROM users WHERE lower(email) = 'mixed.case@example.com'").fetchone()
    assert count == {"n": 1}


# ---- d, f. Wardrobe: the seed's own count, and tags in any case ----


def item_count(sql: Sql, collection_id: str) -> dict[str, int]:
    row = sql.execute(
        "SELECT c.item_count AS stored, (SELECT count(*) FROM wardrobe_items i WHERE i.collection_id = c.id) AS true "
        "FROM wardrobe_collections c WHERE c.id = %s",
        (collection_id,),
    ).fetchone()
    assert row is not None
    return {"stored": row["stored"], "true": row["true"]}


def test_item_count_stays_true_when_the_frontend_also_counts_as_the_seed_invites(api: ApiClient, sql: Sql, node: Node):
    # Given a user's collection
    user = api.register()
    collection = ok(api.post("/wardrobe/collections", {"name": "Summer"}, token=user.access_token), 201)

    # When the frontend adds two items to it, each with `item_count = item_count + 1` in the same transaction
    added = [node.run("wardrobe.mjs", "add", user.id, collection["id"], "[]") for _ in range(2)]

    # Then the count is the number of items: in the row, in what drizzle read back, and through the API
    assert item_count(sql, collection["id"]) == {"stored": 2, "true": 2}
    assert [a["itemCount"] for a in added] == [1, 2]
    path = f"/wardrobe/collections/{collection['id']}"
    assert ok(api.get(path, token=user.access_token))["itemCount"] == 2

    # When it removes one with `item_count = item_count - 1`
    removed = node.run("wardrobe.mjs", "remove", added[0]["itemId"])

    # Then the count is still the number of items
    assert item_count(sql, collection["id"]) == {"stored": 1, "true": 1}
    assert removed["itemCount"] == 1
    assert ok(api.get(path, token=user.access_token))["itemCount"] == 1


@pytest.mark.parametrize("asked", ["summer", "Summer", "SUMMER"])
def test_an_item_the_frontend_tagged_is_found_by_its_tag_in_any_case(api: ApiClient, node: Node, asked: str):
    # Given an item the frontend saved with the tag "Summer"
    user = api.register()
    item = node.run("wardrobe.mjs", "add", user.id, "-", '["Summer"]')

    # When the user lists their items by tag, typed in some case
    page = ok(api.get("/wardrobe/items", token=user.access_token, query={"tag": asked}))

    # Then the item is found, its tag as the frontend wrote it
    assert [(found["id"], found["tags"]) for found in page["items"]] == [(item["itemId"], ["Summer"])]


# ---- e. Tokens: a direct change of the balance is in the ledger ----


def test_a_token_the_frontend_spends_directly_is_in_the_ledger(api: ApiClient, sql: Sql, node: Node):
    # Given a new user with the opening 50 tokens
    user = api.register()

    # When the frontend spends one with a plain `UPDATE users SET tokens = tokens - 1`
    spent = node.run("tokens.mjs", "spend", user.id)

    # Then the balance is 49 everywhere, the ledger sums to it, and a row says what happened
    assert spent["tokens"] == 49
    assert ok(api.get("/me", token=user.access_token))["tokens"] == 49
    ledger = sql.execute("SELECT sum(delta) AS total FROM token_transactions WHERE user_id = %s", (user.id,)).fetchone()
    assert ledger == {"total": 49}
    listed = ok(api.get("/me/token-transactions", token=user.access_token))["items"]
    assert sum(row["delta"] for row in listed) == 49
    changes = [(row["kind"], row["delta"], row["balanceAfter"]) for row in listed if row["kind"] != "signup"]
    assert changes == [("direct_change", -1, 49)]


# ---- g. Images the frontend stored without a data: prefix ----


def picture(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 30, 60)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "mime"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_a_generation_image_stored_as_plain_base64_is_served_typed(api: ApiClient, node: Node, fmt: str, mime: str):
    # Given a completed generation whose result the frontend stored as plain base64, without `data:...;base64,`
    user: User = api.register()
    drawn = picture(fmt)
    generation = node.run("generation.mjs", "insert", user.id, env={"IMAGE_BASE64": base64.b64encode(drawn).decode()})

    # When the user fetches its image
    answer = api.get(f"/generations/{generation['id']}/image", token=user.access_token)

    # Then it is the image's bytes with their content type
    assert answer.status == 200, answer.body[:500]
    assert answer.headers["content-type"] == mime
    assert answer.body == drawn


@pytest.mark.parametrize(("fmt", "mime"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_a_wardrobe_image_stored_as_plain_base64_is_served_typed(api: ApiClient, node: Node, fmt: str, mime: str):
    # Given a wardrobe item whose image the frontend stored as plain base64
    user = api.register()
    drawn = picture(fmt)
    item = node.run("wardrobe.mjs", "add", user.id, "-", "[]", env={"IMAGE_BASE64": base64.b64encode(drawn).decode()})

    # When the user fetches its image, Then it is the image's bytes with their content type
    answer = api.get(f"/wardrobe/items/{item['itemId']}/image", token=user.access_token)
    assert answer.status == 200, answer.body[:500]
    assert answer.headers["content-type"] == mime
    assert answer.body == drawn


# ---- h. The backend's limits stay the backend's ----


def test_a_frontend_connection_gets_no_backend_time_limit(node: Node):
    # Given the migrated database, When the frontend opens a connection and sets nothing
    settings = node.run("settings.mjs")

    # Then no statement or idle-transaction limit of the backend's applies to it
    assert settings["statement_timeout"] == "0", settings
    assert settings["idle_in_transaction_session_timeout"] == "0", settings
