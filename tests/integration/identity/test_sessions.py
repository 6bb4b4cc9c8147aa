"""Sessions: ours and Auth.js's, their expiry and sliding extension, refresh, sign-out and account deletion."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from psycopg.rows import DictRow

from devstack import events
from devstack.context import LambdaContext
from devstack.runtime import Handler
from imagify.clock import utcnow
from tests.support.api import ApiClient
from tests.support.identity import PASSWORD, Account, MakeUser
from tests.support.sql import Sql, scalar

DAY = timedelta(days=1)


def authorize(authorizer: Handler, token: str) -> dict[str, Any] | None:
    """The authorizer's context for a bearer token, or None when it answers Unauthorized."""
    proxy = events.api_event("GET", "/me", headers={"Authorization": f"Bearer {token}"})
    event = events.request_authorizer_event(proxy, events.method_arn("GET", "/me"))
    try:
        answer = authorizer(event, LambdaContext("devstack-AuthorizerFunction"))
    except Exception as error:
        if str(error) != "Unauthorized":
            raise AssertionError(f"the authorizer failed instead of refusing: {error!r}") from error
        return None
    context: dict[str, Any] = answer["context"]
    return context


def _auth_js_session(sql: Sql, user_id: uuid.UUID, expires_in: timedelta) -> str:
    """A session row as the Auth.js Drizzle adapter writes it: a random UUID token, stored as is."""
    token = str(uuid.uuid4())
    sql.execute(
        "INSERT INTO sessions (session_token, user_id, expires) VALUES (%s, %s, %s)",
        (token, user_id, utcnow() + expires_in),
    )
    return token


def _session(sql: Sql, session_id: uuid.UUID) -> DictRow | None:
    return sql.execute("SELECT expires, xmin::text AS version FROM sessions WHERE id = %s", (session_id,)).fetchone()


def _set_expiry(sql: Sql, session_id: uuid.UUID, expires_in: timedelta) -> None:
    sql.execute("UPDATE sessions SET expires = %s WHERE id = %s", (utcnow() + expires_in, session_id))


def test_a_session_token_works_in_the_authorizer(authorizer: Handler, alice: Account):
    assert authorize(authorizer, alice.session_token) == {"userId": str(alice.id), "role": "user", "plan": "free"}


def test_a_session_created_by_the_auth_js_adapter_works(api: ApiClient, authorizer: Handler, alice: Account, sql: Sql):
    # Given a session the frontend's Auth.js adapter created (its UUID token stored as is, 30 days ahead)
    token = _auth_js_session(sql, alice.id, 30 * DAY)

    # Then the API accepts the token, in the authorizer and for a refresh
    assert authorize(authorizer, token) == {"userId": str(alice.id), "role": "user", "plan": "free"}
    assert api.get("/me", token=token).json()["id"] == str(alice.id)
    refreshed = api.post("/auth/refresh", body={"sessionToken": token})
    assert refreshed.status == 200, refreshed.body


@pytest.mark.parametrize("kind", ["ours", "auth-js"])
def test_an_expired_session_is_refused_and_its_row_deleted(authorizer: Handler, alice: Account, sql: Sql, kind: str):
    # Given a session that expired a minute ago
    if kind == "ours":
        token, session_id = alice.session_token, alice.session_id
        _set_expiry(sql, session_id, -timedelta(minutes=1))
    else:
        token = _auth_js_session(sql, alice.id, -timedelta(minutes=1))

    # When it is used
    # Then it is refused, and the row is gone
    assert authorize(authorizer, token) is None
    assert sql.execute("SELECT count(*) AS n FROM sessions WHERE user_id = %s", (alice.id,)).fetchone() == {
        "n": 1 if kind == "auth-js" else 0
    }
    assert sql.execute(
        "SELECT count(*) AS n FROM sessions WHERE user_id = %s AND expires <= %s", (alice.id, utcnow())
    ).fetchone() == {"n": 0}


def test_an_expired_session_cannot_be_refreshed_and_is_deleted(api: ApiClient, alice: Account, sql: Sql):
    _set_expiry(sql, alice.session_id, -timedelta(seconds=1))

    reply = api.post("/auth/refresh", body={"sessionToken": alice.session_token})

    assert reply.status == 401
    assert reply.error_code == "unauthorized"
    assert _session(sql, alice.session_id) is None


@pytest.mark.parametrize("kind", ["ours", "auth-js"])
def test_a_session_last_extended_over_a_day_ago_is_extended_to_30_days(
    authorizer: Handler, alice: Account, sql: Sql, kind: str
):
    # Given a session last extended two days ago (28 days left of 30)
    if kind == "ours":
        token, session_id = alice.session_token, alice.session_id
        _set_expiry(sql, session_id, 28 * DAY)
    else:
        token = _auth_js_session(sql, alice.id, 28 * DAY)
        session_id = scalar(sql, "SELECT id FROM sessions WHERE session_token = %s", (token,))

    # When it is used
    assert authorize(authorizer, token) is not None

    # Then it expires 30 days from now
    session = _session(sql, session_id)
    assert session is not None
    assert abs(session["expires"] - (utcnow() + 30 * DAY)) < timedelta(minutes=1)


def test_a_session_used_recently_is_not_rewritten(authorizer: Handler, alice: Account, sql: Sql):
    # Given a session extended half a day ago
    _set_expiry(sql, alice.session_id, 29 * DAY + 12 * timedelta(hours=1))
    before = _session(sql, alice.session_id)

    # When it is used, twice
    assert authorize(authorizer, alice.session_token) is not None
    assert authorize(authorizer, alice.session_token) is not None

    # Then the row was not written at all (same expiry, same row version)
    assert _session(sql, alice.session_id) == before


def test_refresh_gives_a_new_access_token(api: ApiClient, alice: Account):
    reply = api.post("/auth/refresh", body={"sessionToken": alice.session_token})

    assert reply.status == 200, reply.body
    assert set(reply.json()) == {"accessToken", "expiresAt"}
    assert reply.json()["accessToken"].count(".") == 2
    assert api.get("/me", token=reply.json()["accessToken"]).json()["id"] == str(alice.id)


@pytest.mark.parametrize("token", ["ims_" + "x" * 43, str(uuid.uuid4()), "eyJ.not.ajwt"])
def test_refresh_with_an_unknown_session_is_401(api: ApiClient, alice: Account, token: str):
    reply = api.post("/auth/refresh", body={"sessionToken": token})

    assert reply.status == 401
    assert reply.error_code == "unauthorized"


def test_refresh_with_an_access_token_instead_of_a_session_token_is_401(api: ApiClient, alice: Account):
    reply = api.post("/auth/refresh", body={"sessionToken": alice.access_token})

    assert reply.status == 401


def test_logout_with_a_session_token_ends_that_session_only(
    api: ApiClient, authorizer: Handler, make_user: MakeUser, alice: Account, sql: Sql
):
    # Given alice is signed in on two devices
    other = api.post("/auth/refresh", body={"sessionToken": alice.session_token})
    assert other.status == 200
    second = api.post("/auth/login", body={"email": "alice@example.com", "password": PASSWORD})
    assert second.status == 200

    # When she signs out with the first device's session token
    reply = api.post("/auth/logout", token=alice.session_token)

    # Then that session is gone and its token refused; the other device is still signed in
    assert reply.status == 204, reply.body
    assert reply.body == b""
    assert _session(sql, alice.session_id) is None
    assert authorize(authorizer, alice.session_token) is None
    assert api.post("/auth/refresh", body={"sessionToken": alice.session_token}).status == 401
    assert authorize(authorizer, second.json()["sessionToken"]) is not None
    assert authorize(authorizer, second.json()["accessToken"]) is not None


def test_logout_with_an_access_token_ends_the_session_it_names(
    api: ApiClient, authorizer: Handler, alice: Account, sql: Sql
):
    # Given alice's access token, issued with her session
    assert authorize(authorizer, alice.access_token) is not None

    # When she signs out with it
    reply = api.post("/auth/logout", token=alice.access_token)

    # Then the session its sid names is gone, and both the access token and the session token are refused
    assert reply.status == 204, reply.body
    assert _session(sql, alice.session_id) is None
    assert authorize(authorizer, alice.access_token) is None
    assert authorize(authorizer, alice.session_token) is None
    assert api.get("/me", token=alice.access_token).status == 401


def test_an_access_token_is_refused_once_its_session_expired(authorizer: Handler, alice: Account, sql: Sql):
    _set_expiry(sql, alice.session_id, -timedelta(seconds=1))

    assert authorize(authorizer, alice.access_token) is None


def test_a_deleted_users_tokens_fail(authorizer: Handler, alice: Account, sql: Sql):
    # Given an Auth.js session as well as our tokens
    auth_js = _auth_js_session(sql, alice.id, 30 * DAY)
    assert authorize(authorizer, alice.access_token) is not None

    # When the user row is deleted
    sql.execute("DELETE FROM users WHERE id = %s", (alice.id,))

    # Then no token of theirs works
    for token in (alice.access_token, alice.session_token, auth_js):
        assert authorize(authorizer, token) is None


def test_an_access_token_without_a_session_still_names_a_live_user(authorizer: Handler, make_user: MakeUser, sql: Sql):
    # An access token of a user deleted after it was issued is refused, even when it has no sid.
    from imagify.identity.credentials import issue_access_token

    bob = make_user("bob@example.com")
    token = issue_access_token(bob.id).token
    assert authorize(authorizer, token) == {"userId": str(bob.id), "role": "user", "plan": "free"}
    sql.execute("DELETE FROM users WHERE id = %s", (bob.id,))
    assert authorize(authorizer, token) is None


def test_a_role_change_shows_in_the_next_authorization(authorizer: Handler, alice: Account, sql: Sql):
    sql.execute("UPDATE users SET role = 'admin', plan = 'pro' WHERE id = %s", (alice.id,))

    assert authorize(authorizer, alice.access_token) == {"userId": str(alice.id), "role": "admin", "plan": "pro"}
