"""DELETE /me: the password confirms it, then nothing of the user is left, in any table or in the bucket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import boto3
import pytest
from psycopg import sql as pgsql

from imagify import db
from imagify.billing import ledger
from tests.support.api import ApiClient
from tests.support.identity import PASSWORD, UPLOADS_BUCKET, Account, MakeUser
from tests.support.sql import Sql, scalar

from .conftest import own_moto_account


@pytest.fixture
def s3(app_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The uploads bucket (moto), emptied and removed after the test."""
    with own_moto_account(monkeypatch):
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=UPLOADS_BUCKET)
        try:
            yield client
        finally:
            for key in _keys(client, ""):
                client.delete_object(Bucket=UPLOADS_BUCKET, Key=key)
            client.delete_bucket(Bucket=UPLOADS_BUCKET)


def _keys(s3: Any, prefix: str) -> list[str]:
    listed = s3.list_objects_v2(Bucket=UPLOADS_BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def _upload(s3: Any, user_id: UUID, *names: str) -> None:
    for name in names:
        s3.put_object(Bucket=UPLOADS_BUCKET, Key=f"uploads/{user_id}/{name}", Body=b"\x89PNG")


def references(sql: Sql, user_id: UUID) -> dict[str, int]:
    """Rows naming the user, by ``table.column``: every ``user_id`` and ``actor_id`` column of the public
    schema's tables (found in information_schema, so tables added later are covered), and ``users.id``."""
    columns = sql.execute(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
        "AND c.column_name IN ('user_id', 'actor_id') ORDER BY 1, 2"
    ).fetchall()
    found = {}
    for table, column in [("users", "id"), *((c["table_name"], c["column_name"]) for c in columns)]:
        query = pgsql.SQL("SELECT count(*) FROM {} WHERE {} = %s").format(
            pgsql.Identifier(table), pgsql.Identifier(column)
        )
        row = sql.execute(query, (user_id,)).fetchone()
        assert row is not None
        found[f"{table}.{column}"] = int(row["count"])
    return found


def _everything_of(sql: Sql, user: Account, admin: Account, other: Account) -> None:
    """Rows of ``user`` in every table the seed and the ledger have, and one of ``other``'s naming them."""
    generation = scalar(
        sql,
        "INSERT INTO generations (user_id, mode, prompt, status) VALUES (%s, 'from_prompt', 'a hat', 'completed') "
        "RETURNING id",
        (user.id,),
    )
    collection = scalar(
        sql, "INSERT INTO wardrobe_collections (user_id, name) VALUES (%s, 'summer') RETURNING id", (user.id,)
    )
    sql.execute(
        "INSERT INTO wardrobe_items (user_id, generation_id, collection_id, image_base64) "
        "VALUES (%s, %s, %s, 'data:image/png;base64,AAAA')",
        (user.id, generation, collection),
    )
    sql.execute(
        "INSERT INTO advisor_sessions (user_id, user_message, ai_response) VALUES (%s, 'what?', 'that')", (user.id,)
    )
    sql.execute(
        "INSERT INTO accounts (user_id, type, provider, provider_account_id) VALUES (%s, 'oidc', 'testidp', 'u1')",
        (user.id,),
    )
    with db.transaction() as conn:
        ledger.charge_generation(conn, user.id, generation, 3)
        ledger.adjust(conn, user.id, 10, admin_id=admin.id, note="from an admin")
        # The user, as an admin, once adjusted someone else's balance: that row names them as its actor.
        ledger.adjust(conn, other.id, 5, admin_id=user.id, note="from the user")


def test_delete_me_needs_the_password_then_leaves_nothing_of_the_user(
    api: ApiClient, make_user: MakeUser, admin: Account, s3: Any, sql: Sql
):
    # Given alice (an admin herself) with rows in every table, uploads, and bob with an upload too
    alice = make_user("alice@example.com", role="admin", tokens=1000)
    bob = make_user("bob@example.com")
    _everything_of(sql, alice, admin, bob)
    _upload(s3, alice.id, "me.png", "items/coat.png")
    _upload(s3, bob.id, "bob.png")
    before = references(sql, alice.id)
    for table in ("users", "accounts", "sessions", "generations", "wardrobe_items", "wardrobe_collections"):
        assert before.get(f"{table}.id" if table == "users" else f"{table}.user_id", 0) >= 1, before
    assert before["token_transactions.user_id"] >= 3
    assert before["token_transactions.actor_id"] == 1
    assert before["advisor_sessions.user_id"] == 1

    # When she tries without her password, or with a wrong one
    for body in (None, {}, {"password": "not my password"}):
        refused = api.delete("/me", token=alice.access_token, body=body)
        # Then it is refused and nothing is gone
        assert refused.status == 403, refused.body
        assert refused.error_code == "forbidden"
    assert references(sql, alice.id) == before
    assert _keys(s3, f"uploads/{alice.id}/") == [f"uploads/{alice.id}/items/coat.png", f"uploads/{alice.id}/me.png"]

    # When she confirms with her password
    reply = api.delete("/me", token=alice.access_token, body={"password": PASSWORD})

    # Then the account is gone: no row anywhere names her, no upload of hers is left
    assert reply.status == 204, reply.body
    assert reply.body == b""
    assert set(references(sql, alice.id).values()) == {0}, references(sql, alice.id)
    assert _keys(s3, f"uploads/{alice.id}/") == []
    # And bob keeps his upload, his balance and his history (the row she made no longer names her)
    assert _keys(s3, f"uploads/{bob.id}/") == [f"uploads/{bob.id}/bob.png"]
    assert scalar(sql, "SELECT tokens FROM users WHERE id = %s", (bob.id,)) == 55
    assert scalar(sql, "SELECT count(*) FROM token_transactions WHERE user_id = %s", (bob.id,)) == 2
    # And her tokens are refused
    assert api.get("/me", token=alice.access_token).status == 401
    assert api.get("/me", token=alice.session_token).status == 401
    assert api.post("/auth/login", body={"email": "alice@example.com", "password": PASSWORD}).status == 401


def test_an_account_without_a_password_is_deleted_without_one(api: ApiClient, make_user: MakeUser, s3: Any, sql: Sql):
    carol = make_user("carol@example.com", with_password=False)
    _upload(s3, carol.id, "carol.png")

    reply = api.delete("/me", token=carol.access_token)

    assert reply.status == 204, reply.body
    assert set(references(sql, carol.id).values()) == {0}
    assert _keys(s3, f"uploads/{carol.id}/") == []
