"""Requests no client of ours sends, through the gateway: each is a documented 4xx, never a 500."""

from __future__ import annotations

import pytest

from tests.support.api import ApiClient
from tests.support.env import setenv
from tests.support.sql import Sql

LISTS = (
    "/generations",
    "/wardrobe/items",
    "/wardrobe/collections",
    "/advisor/sessions",
    "/me/token-transactions",
    "/admin/users",
)
FOREIGN_CURSORS = (
    "WyIyMDI1LTAxLTAxVDAwOjAwOjAwIiwgNV0",  # ["2025-01-01T00:00:00", 5]
    "WzFd",  # [1]
    "eyJhIjoxfQ",  # {"a":1}
    "dHJ1ZQ",  # true
)


def _admin(api: ApiClient, sql: Sql) -> str:
    user = api.register()
    sql.execute("UPDATE users SET role = 'admin' WHERE id = %s", (user.id,))
    return str(api.post("/auth/login", {"email": user.email, "password": user.password}).json()["accessToken"])


def test_a_deeply_nested_body_is_422_before_any_token_is_asked_for(api: ApiClient):
    reply = api.post("/auth/login", ("[" * 1000 + "]" * 1000).encode())
    assert (reply.status, reply.error_code) == (422, "validation_error"), reply.body


def test_a_number_of_thousands_of_digits_is_422(api: ApiClient, sql: Sql):
    token = _admin(api, sql)
    target = api.register()
    body = b'{"delta": 1' + b"0" * 5000 + b', "note": "x"}'
    reply = api.post(f"/admin/users/{target.id}/tokens", body, token=token)
    assert (reply.status, reply.error_code) == (422, "validation_error"), reply.body


@pytest.mark.parametrize("path", LISTS)
def test_a_well_formed_cursor_we_did_not_make_is_422_on_every_list(api: ApiClient, sql: Sql, path: str):
    token = _admin(api, sql)
    for cursor in FOREIGN_CURSORS:
        reply = api.get(path, token=token, query={"cursor": cursor})
        assert (reply.status, reply.error_code) == (422, "validation_error"), (cursor, reply.body)


def test_a_get_with_a_body_that_is_not_json_ignores_the_body(api: ApiClient):
    user = api.register()
    reply = api.call("GET", "/me", b"<xml/>", token=user.access_token, headers={"Content-Type": "text/xml"})
    assert reply.status == 200, reply.body


@pytest.fixture
def unreachable_database(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database's address answers nothing (a port no server listens on), tried once."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    setenv(monkeypatch, DATABASE_URL=f"postgresql://nobody@127.0.0.1:{port}/nothing", DB_CONNECT_ATTEMPTS="1")


@pytest.mark.usefixtures("unreachable_database")
def test_an_unreachable_database_is_a_503_with_retry_after(api: ApiClient):
    # A route without the authorizer, and one behind it (whose authorizer needs the database too)
    for reply in (
        api.post("/auth/login", {"email": "a@example.com", "password": "whatever-it-is"}),
        api.get("/me", token="imagify_s_" + "x" * 43),
    ):
        assert reply.status == 503, reply.body
        assert reply.error_code == "service_unavailable"
        assert reply.headers.get("retry-after") == "2"
