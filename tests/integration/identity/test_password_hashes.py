"""Password hashes the shared frontend can verify: bcrypt ($2b$, cost ≥ 12) unless PASSWORD_SCHEME says argon2id,
both verified whatever is set, a rehash only ever into the configured scheme, and bcrypt's 72-byte limit a
clear 422 wherever a password is set (never a silent truncation)."""

from __future__ import annotations

import re

import bcrypt
import pytest

from imagify import db
from imagify.identity import passwords, users
from tests.support.api import ApiClient
from tests.support.env import setenv
from tests.support.identity import PASSWORD, Account
from tests.support.sql import Sql, scalar

from .test_email_tokens import Outbox, outbox  # noqa: F401  (the SES outbox fixture)

# 74 bytes in UTF-8 but only 37 characters: within every character limit, over bcrypt's 72 bytes.
TOO_LONG = "é" * 37
AT_THE_LIMIT = "é" * 36  # 72 bytes


def _stored(sql: Sql, email: str) -> str:
    return str(scalar(sql, "SELECT password_hash FROM users WHERE email = %s", (email,)))


def _user_with_hash(email: str, password_hash: str) -> None:
    with db.transaction() as conn:
        users.insert(conn, email=email, name=None, password_hash=password_hash, role="user", tokens=50)


def _login(api: ApiClient, email: str, password: str) -> int:
    return api.post("/auth/login", body={"email": email, "password": password}).status


def _bcryptjs_hash(password: str, cost: int, prefix: bytes = b"2a") -> str:
    """A hash as the frontend's bcryptjs writes one (``$2a$`` before 3.0, ``$2b$`` since)."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=cost, prefix=prefix)).decode()


def test_registration_stores_a_2b_bcrypt_hash_of_cost_12_that_bcrypt_verifies(api: ApiClient, sql: Sql):
    # When someone registers with a password that is not plain ASCII
    reply = api.post("/auth/register", body={"email": "bob@example.com", "password": "crème brûlée 42"})

    # Then the row holds a $2b$ hash of cost 12 (what bcryptjs 2.3+ and 3.x compare), made from the password's
    # UTF-8 bytes as bcryptjs reads them
    assert reply.status == 201, reply.body
    stored = _stored(sql, "bob@example.com")
    assert re.fullmatch(r"\$2b\$12\$[./A-Za-z0-9]{53}", stored), stored
    assert bcrypt.checkpw("crème brûlée 42".encode(), stored.encode())
    assert not bcrypt.checkpw(b"creme brulee 42", stored.encode())
    # And it signs in, without the hash being rewritten
    assert _login(api, "bob@example.com", "crème brûlée 42") == 200
    assert _stored(sql, "bob@example.com") == stored


def test_password_scheme_argon2id_makes_registration_store_argon2id(
    api: ApiClient, sql: Sql, monkeypatch: pytest.MonkeyPatch
):
    setenv(monkeypatch, PASSWORD_SCHEME="argon2id")

    assert api.post("/auth/register", body={"email": "bob@example.com", "password": "bobs-password"}).status == 201

    assert _stored(sql, "bob@example.com").startswith("$argon2id$v=19$")
    assert _login(api, "bob@example.com", "bobs-password") == 200


def test_a_bcryptjs_hash_at_the_configured_cost_is_kept_as_it_is(api: ApiClient, sql: Sql):
    # Given a user the frontend created with bcryptjs ($2a$, cost 12)
    legacy = _bcryptjs_hash("legacy-password", 12)
    _user_with_hash("legacy@example.com", legacy)

    # When they sign in through the backend
    assert _login(api, "legacy@example.com", "wrong") == 401
    assert _login(api, "legacy@example.com", "legacy-password") == 200

    # Then the hash is untouched: never rewritten as Argon2id, which the frontend could not verify
    assert _stored(sql, "legacy@example.com") == legacy


def test_a_bcrypt_hash_of_a_lower_cost_is_rehashed_as_bcrypt_at_the_configured_cost(api: ApiClient, sql: Sql):
    _user_with_hash("cheap@example.com", _bcryptjs_hash("cheap-password", 10))

    assert _login(api, "cheap@example.com", "cheap-password") == 200

    stored = _stored(sql, "cheap@example.com")
    assert stored.startswith("$2b$12$")
    assert bcrypt.checkpw(b"cheap-password", stored.encode())
    assert _login(api, "cheap@example.com", "cheap-password") == 200


def test_an_argon2id_hash_verifies_and_becomes_bcrypt_when_the_scheme_is_bcrypt(api: ApiClient, sql: Sql):
    # Given an account registered while the backend wrote Argon2id (the frontend cannot verify it)
    _user_with_hash("early@example.com", passwords._hasher().hash("early-password"))

    # When its owner signs in through the backend, the hash becomes the configured bcrypt
    assert _login(api, "early@example.com", "not it") == 401
    assert _stored(sql, "early@example.com").startswith("$argon2id$")
    assert _login(api, "early@example.com", "early-password") == 200
    stored = _stored(sql, "early@example.com")
    assert stored.startswith("$2b$12$")
    assert bcrypt.checkpw(b"early-password", stored.encode())


def test_with_argon2id_configured_a_bcrypt_hash_is_upgraded_to_argon2id(
    api: ApiClient, sql: Sql, monkeypatch: pytest.MonkeyPatch
):
    setenv(monkeypatch, PASSWORD_SCHEME="argon2id")
    _user_with_hash("legacy@example.com", _bcryptjs_hash("legacy-password", 12, b"2b"))

    assert _login(api, "legacy@example.com", "legacy-password") == 200

    assert _stored(sql, "legacy@example.com").startswith("$argon2id$")
    assert _login(api, "legacy@example.com", "legacy-password") == 200


def test_a_new_password_over_72_bytes_is_a_422_on_register_and_72_bytes_are_accepted(api: ApiClient, sql: Sql):
    refused = api.post("/auth/register", body={"email": "bob@example.com", "password": TOO_LONG})

    assert refused.status == 422, refused.body
    assert refused.error_code == "validation_error"
    [detail] = refused.json()["error"]["details"]
    assert detail["loc"] == ["body", "password"]
    assert "72 bytes" in detail["msg"]
    assert TOO_LONG not in refused.text
    assert scalar(sql, "SELECT count(*) FROM users") == 0

    accepted = api.post("/auth/register", body={"email": "bob@example.com", "password": AT_THE_LIMIT})
    assert accepted.status == 201, accepted.body
    assert bcrypt.checkpw(AT_THE_LIMIT.encode(), _stored(sql, "bob@example.com").encode())
    assert _login(api, "bob@example.com", AT_THE_LIMIT) == 200


def test_a_new_password_over_72_bytes_is_a_422_on_reset_and_the_link_still_works(
    api: ApiClient,
    alice: Account,
    outbox: Outbox,  # noqa: F811
    sql: Sql,
):
    api.post("/auth/password-reset/request", body={"email": "alice@example.com"})
    [mail] = outbox.sent
    _, query = mail.link

    refused = api.post("/auth/password-reset/confirm", body={**query, "newPassword": TOO_LONG})

    assert refused.status == 422, refused.body
    assert refused.error_code == "validation_error"
    assert [d["loc"] for d in refused.json()["error"]["details"]] == [["body", "newPassword"]]
    assert _login(api, "alice@example.com", PASSWORD) == 200
    confirmed = api.post("/auth/password-reset/confirm", body={**query, "newPassword": "a short new one"})
    assert confirmed.status == 204, confirmed.body
    assert _stored(sql, "alice@example.com").startswith("$2b$12$")


def test_signing_in_with_a_password_over_72_bytes_against_a_bcrypt_hash_is_a_wrong_password(api: ApiClient, sql: Sql):
    # Given a bcryptjs hash of a password's first 72 bytes (bcryptjs cut longer ones when it hashed)
    _user_with_hash("long@example.com", _bcryptjs_hash("x" * 72, 12))

    # When the password is tried with bytes beyond the 72nd
    reply = api.post("/auth/login", body={"email": "long@example.com", "password": "x" * 72 + "tail"})

    # Then it is the ordinary 401, counted as a failure (never a 500, never a match on the first 72 bytes)
    assert reply.status == 401, reply.body
    assert reply.error_code == "invalid_credentials"
    assert scalar(sql, "SELECT count(*) FROM login_failures WHERE email = 'long@example.com'") == 1
    assert _login(api, "long@example.com", "x" * 72) == 200


def test_unknown_emails_cost_a_bcrypt_check_at_the_configured_cost(app_env: str, monkeypatch: pytest.MonkeyPatch):
    checked: list[bytes] = []
    real = bcrypt.checkpw

    def spy(password: bytes, hashed: bytes) -> bool:
        checked.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", spy)

    assert passwords.verify_password(None, "any password") is False
    assert passwords.verify_password(None, TOO_LONG * 3) is False

    assert len(checked) == 2
    assert all(h.startswith(b"$2b$12$") for h in checked)
