"""Signing up and signing in with a password, as a caller of the HTTP API sees it."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import bcrypt
import pytest

from imagify import db
from imagify.errors import InvalidCredentials, RateLimited
from imagify.identity import auth, users
from tests.support.api import ApiClient
from tests.support.env import setenv
from tests.support.identity import ADMIN_EMAIL, PASSWORD, Account, MakeUser
from tests.support.sql import Sql, one, scalar


def _failures(sql: Sql, email: str) -> int:
    return int(scalar(sql, "SELECT count(*) FROM login_failures WHERE email = %s", (email,)))


def _fail(sql: Sql, email: str, times: int) -> None:
    """Failures recorded as a failed sign-in records them (that it does is proven once, the slow way)."""
    sql.execute("INSERT INTO login_failures (email) SELECT %s FROM generate_series(1, %s)", (email, times))


def test_register_trims_the_email_keeps_its_case_and_answers_the_user_and_tokens(api: ApiClient, sql: Sql):
    # Given a new visitor who types their email with spaces and capitals
    # When they register
    reply = api.post(
        "/auth/register", body={"email": "  Ada.Lovelace@Example.COM ", "password": "s3cret-pass", "name": " Ada "}
    )

    # Then they are signed up and signed in, under the trimmed email as they typed it (Auth.js's adapter
    # finds users by the exact address)
    assert reply.status == 201, reply.body
    body = reply.json()
    assert set(body) == {"user", "accessToken", "sessionToken", "expiresAt"}
    assert body["user"]["email"] == "Ada.Lovelace@Example.COM"
    assert body["user"]["name"] == "Ada"
    assert body["user"]["role"] == "user"
    assert body["user"]["tokens"] == 50
    assert set(body["user"]) == {
        "id",
        "email",
        "name",
        "image",
        "role",
        "plan",
        "tokens",
        "emailVerified",
        "createdAt",
    }
    assert "hash" not in reply.text.lower()
    assert "argon2" not in reply.text
    assert "s3cret-pass" not in reply.text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["expiresAt"])

    # And the row holds the trimmed email and a bcrypt hash, the session its token's digest only
    row = one(sql, "SELECT id, email, password_hash FROM users")
    assert str(row["id"]) == body["user"]["id"]
    assert row["email"] == "Ada.Lovelace@Example.COM"
    assert row["password_hash"].startswith("$2b$12$")  # bcrypt: what the frontend's bcryptjs verifies
    stored = scalar(sql, "SELECT session_token FROM sessions WHERE user_id = %s", (row["id"],))
    assert stored == "sha256:" + hashlib.sha256(body["sessionToken"].encode()).hexdigest()

    # And both tokens work
    assert api.get("/me", token=body["accessToken"]).json()["id"] == body["user"]["id"]
    assert api.get("/me", token=body["sessionToken"]).json()["id"] == body["user"]["id"]


def test_a_second_registration_of_an_email_is_409_email_taken(api: ApiClient, alice: Account, sql: Sql):
    # Given alice@example.com has an account
    # When someone registers the same address in another case
    reply = api.post("/auth/register", body={"email": "ALICE@example.com", "password": "another-password"})

    # Then it is refused, and no second user exists
    assert reply.status == 409
    assert reply.error_code == "email_taken"
    assert scalar(sql, "SELECT count(*) FROM users") == 1


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"email": "bob@example.com", "password": "x" * 7}, id="password-7-chars"),
        pytest.param({"email": "bob@example.com", "password": "x" * 257}, id="password-257-chars"),
        pytest.param({"email": "bob@example.com", "password": "x" * 12, "role": "admin"}, id="unknown-field"),
        pytest.param({"email": "not-an-email", "password": "x" * 12}, id="bad-email"),
        pytest.param({"password": "x" * 12}, id="no-email"),
    ],
)
def test_an_invalid_registration_is_422_and_creates_nothing(api: ApiClient, sql: Sql, body: dict[str, str]):
    reply = api.post("/auth/register", body=body)

    assert reply.status == 422, reply.body
    assert reply.error_code == "validation_error"
    assert set(reply.json()["error"]) == {"code", "message", "details"}
    assert "x" * 7 not in reply.text  # the password is never echoed back
    assert scalar(sql, "SELECT count(*) FROM users") == 0


@pytest.mark.parametrize("length", [8, 72])
def test_passwords_of_8_and_72_characters_are_accepted(api: ApiClient, length: int):
    reply = api.post("/auth/register", body={"email": "bob@example.com", "password": "p" * length})
    assert reply.status == 201, reply.body


def test_admin_emails_register_as_admins_with_1000_tokens_others_as_users_with_50(api: ApiClient, sql: Sql):
    # Given ADMIN_EMAILS lists the boss's address (in capitals, with spaces, in the environment)
    # When the boss (typing it in another case) and someone else register
    boss = api.post("/auth/register", body={"email": ADMIN_EMAIL.title(), "password": "boss-password"})
    other = api.post("/auth/register", body={"email": "worker@example.com", "password": "work-password"})

    # Then the boss is an admin with the admin allowance and the other a user with the signup allowance
    assert boss.status == 201, boss.body
    assert (boss.json()["user"]["role"], boss.json()["user"]["tokens"]) == ("admin", 1000)
    assert (other.json()["user"]["role"], other.json()["user"]["tokens"]) == ("user", 50)
    # And each opening balance is in the ledger
    rows = sql.execute(
        "SELECT u.email, t.kind::text, t.delta FROM token_transactions t JOIN users u ON u.id = t.user_id"
    )
    assert sorted((r["email"], r["kind"], r["delta"]) for r in rows) == [
        (ADMIN_EMAIL.title(), "signup", 1000),
        ("worker@example.com", "signup", 50),
    ]


def test_with_argon2id_configured_registration_stores_a_hash_at_or_above_owasp_parameters(
    api: ApiClient, sql: Sql, monkeypatch: pytest.MonkeyPatch
):
    setenv(monkeypatch, PASSWORD_SCHEME="argon2id")
    api.post("/auth/register", body={"email": "bob@example.com", "password": "bobs-password"})

    stored = scalar(sql, "SELECT password_hash FROM users")
    found = re.match(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    assert found, stored
    memory_kib, iterations, parallelism = map(int, found.groups())
    # OWASP: Argon2id with at least 19 MiB of memory, 2 iterations, 1 degree of parallelism
    assert memory_kib >= 19456
    assert iterations >= 2
    assert parallelism >= 1


def test_login_accepts_the_email_in_any_case_and_answers_the_auth_shape(api: ApiClient, alice: Account):
    reply = api.post("/auth/login", body={"email": "  ALICE@Example.com", "password": PASSWORD})

    assert reply.status == 200, reply.body
    assert set(reply.json()) == {"user", "accessToken", "sessionToken", "expiresAt"}
    assert reply.json()["user"]["id"] == str(alice.id)
    assert "passwordHash" not in reply.json()["user"]
    assert api.get("/me", token=reply.json()["accessToken"]).status == 200


def test_unknown_email_and_wrong_password_get_byte_identical_401s(api: ApiClient, alice: Account):
    unknown = api.post("/auth/login", body={"email": "nobody@example.com", "password": PASSWORD})
    wrong = api.post("/auth/login", body={"email": "alice@example.com", "password": "not the password"})

    assert unknown.status == wrong.status == 401
    assert unknown.error_code == "invalid_credentials"
    assert unknown.body == wrong.body
    assert unknown.headers == wrong.headers


def test_a_password_less_account_cannot_sign_in_with_any_password(api: ApiClient, make_user: MakeUser, sql: Sql):
    make_user("oauth-only@example.com", with_password=False)

    reply = api.post("/auth/login", body={"email": "oauth-only@example.com", "password": "x"})

    assert reply.status == 401
    assert reply.error_code == "invalid_credentials"


def test_five_failures_lock_the_email_out_even_for_the_right_password(api: ApiClient, alice: Account, sql: Sql):
    # Given five failed sign-ins for alice within the window
    for _ in range(5):
        assert api.post("/auth/login", body={"email": "alice@example.com", "password": "guess"}).status == 401

    # When the sixth attempt comes, even with the right password
    reply = api.post("/auth/login", body={"email": "Alice@example.com", "password": PASSWORD})

    # Then it is 429 with a positive whole number of seconds to wait, no longer than the window
    assert reply.status == 429, reply.body
    assert reply.error_code == "rate_limited"
    retry_after = reply.header("Retry-After")
    assert retry_after is not None
    assert re.fullmatch(r"[1-9]\d*", retry_after)
    assert 1 <= int(retry_after) <= 15 * 60 + 1
    # And no session was opened
    assert scalar(sql, "SELECT count(*) FROM sessions WHERE user_id = %s", (alice.id,)) == 1


def test_the_lockout_is_per_email_and_counts_unknown_emails_too(api: ApiClient, alice: Account, sql: Sql):
    # An unknown email's failures are recorded like a known one's
    assert api.post("/auth/login", body={"email": "ghost@example.com", "password": "guess"}).status == 401
    assert _failures(sql, "ghost@example.com") == 1
    _fail(sql, "ghost@example.com", 4)

    assert api.post("/auth/login", body={"email": "ghost@example.com", "password": "guess"}).status == 429
    assert api.post("/auth/login", body={"email": "alice@example.com", "password": PASSWORD}).status == 200


def test_failures_older_than_the_window_do_not_count(api: ApiClient, alice: Account, sql: Sql):
    sql.execute(
        "INSERT INTO login_failures (email, failed_at) "
        "SELECT 'alice@example.com', now() - interval '16 minutes' FROM generate_series(1, 5)"
    )

    assert api.post("/auth/login", body={"email": "alice@example.com", "password": PASSWORD}).status == 200


def test_a_correct_login_clears_the_failures(api: ApiClient, alice: Account, sql: Sql):
    # Given four failures
    _fail(sql, "alice@example.com", 4)

    # When alice signs in correctly
    assert api.post("/auth/login", body={"email": "alice@example.com", "password": PASSWORD}).status == 200

    # Then the failures are gone, and one more mistake does not lock her out
    assert _failures(sql, "alice@example.com") == 0
    _fail(sql, "alice@example.com", 1)
    assert api.post("/auth/login", body={"email": "alice@example.com", "password": PASSWORD}).status == 200


def test_with_argon2id_configured_a_bcryptjs_hash_verifies_and_is_replaced_by_argon2id(
    api: ApiClient, sql: Sql, monkeypatch: pytest.MonkeyPatch
):
    # Given a deployment where the backend is the only authenticator (PASSWORD_SCHEME=argon2id)
    setenv(monkeypatch, PASSWORD_SCHEME="argon2id")
    # And a user the old frontend created with bcryptjs ($2a$)
    legacy = bcrypt.hashpw(b"legacy-password", bcrypt.gensalt(rounds=4, prefix=b"2a")).decode()
    assert legacy.startswith("$2a$04$")
    with db.transaction() as conn:
        user = users.insert(conn, email="legacy@example.com", name=None, password_hash=legacy, role="user", tokens=50)

    # When a wrong password is tried, nothing changes
    assert api.post("/auth/login", body={"email": "legacy@example.com", "password": "wrong"}).status == 401
    assert scalar(sql, "SELECT password_hash FROM users") == legacy

    # When they sign in with their password
    reply = api.post("/auth/login", body={"email": "legacy@example.com", "password": "legacy-password"})

    # Then it works and the stored hash is now Argon2id, which verifies on the next sign-in
    assert reply.status == 200, reply.body
    assert reply.json()["user"]["id"] == str(user.id)
    row = sql.execute("SELECT password_hash FROM users").fetchone()
    assert row is not None
    assert row["password_hash"].startswith("$argon2id$")
    assert api.post("/auth/login", body={"email": "legacy@example.com", "password": "legacy-password"}).status == 200
    assert api.post("/auth/login", body={"email": "legacy@example.com", "password": "wrong"}).status == 401


def test_concurrent_guesses_cannot_outrun_the_lockout(alice: Account, sql: Sql, monkeypatch: pytest.MonkeyPatch):
    # Given twelve sign-in attempts for one email arriving at once, each in its own execution environment
    # (Lambda runs concurrent requests in separate containers: here, threads with a connection each)
    local = threading.local()
    opened: list[db.Connection] = []

    def connection_of_this_thread() -> db.Connection:
        if getattr(local, "conn", None) is None:
            local.conn = db.connect()
            opened.append(local.conn)
        return local.conn  # type: ignore[no-any-return]

    monkeypatch.setattr(db, "connection", connection_of_this_thread)
    start = threading.Barrier(12)

    def attempt(_: int) -> str:
        start.wait(timeout=30)
        try:
            auth.login("alice@example.com", "a wrong guess")
        except InvalidCredentials:
            return "wrong password"
        except RateLimited:
            return "locked out"
        return "signed in"

    # When they all run
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            outcomes = Counter(pool.map(attempt, range(12)))
    finally:
        for conn in opened:
            conn.close()

    # Then only five passwords were checked; the others were turned away
    assert outcomes == {"wrong password": 5, "locked out": 7}
    assert _failures(sql, "alice@example.com") == 5


def test_one_person_is_one_account_whatever_the_case_of_the_address(api: ApiClient, sql: Sql, password_hash: str):
    # Given a user the frontend stored as it was typed, with capitals
    sql.execute("INSERT INTO users (email, password_hash) VALUES ('Mixed.Case@Example.com', %s)", (password_hash,))
    # Then they sign in with the address in any case
    for typed in ("Mixed.Case@Example.com", "mixed.case@example.com", "MIXED.CASE@EXAMPLE.COM"):
        reply = api.post("/auth/login", body={"email": typed, "password": PASSWORD})
        assert reply.status == 200, (typed, reply.body)
        assert reply.json()["user"]["email"] == "Mixed.Case@Example.com"
    # And nobody registers the same address in another case, nor does any writer insert it
    assert api.post("/auth/register", body={"email": "mixed.case@EXAMPLE.com", "password": "pw-123456"}).status == 409
    with pytest.raises(Exception, match="users_email_lower_key"):
        sql.execute("INSERT INTO users (email) VALUES ('MIXED.case@example.com')")
    assert scalar(sql, "SELECT count(*) FROM users") == 1


def test_failed_sign_ins_count_for_the_address_in_any_case(api: ApiClient, alice: Account, sql: Sql):
    api.post("/auth/login", body={"email": "Alice@Example.com", "password": "wrong-password"})
    api.post("/auth/login", body={"email": "ALICE@example.com", "password": "wrong-password"})
    assert _failures(sql, "alice@example.com") == 2


def test_the_email_lookup_uses_the_case_insensitive_index(sql: Sql):
    sql.execute("INSERT INTO users (email) SELECT 'u' || i || '@example.com' FROM generate_series(1, 2000) i")
    sql.execute("ANALYZE users")
    plan = " ".join(
        r["QUERY PLAN"]
        for r in sql.execute("EXPLAIN SELECT id FROM users WHERE lower(email) = lower('U7@Example.com')").fetchall()
    )
    assert "users_email_lower_key" in plan, plan
