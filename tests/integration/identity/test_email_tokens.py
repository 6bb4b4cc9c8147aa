"""One-time email links: verifying an address and resetting a password, mailed through (moto's) SES v2."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from moto.ses.models import ses_backends

from tests.support.api import ApiClient
from tests.support.env import setenv
from tests.support.identity import PASSWORD, Account, MakeUser
from tests.support.sql import Sql, scalar

from .conftest import own_moto_account


@dataclass(frozen=True)
class Mail:
    to: list[str]
    subject: str
    body: str

    @property
    def link(self) -> tuple[str, dict[str, str]]:
        """The link in the mail: its address without the query, and the query's values."""
        url = next(word for word in self.body.split() if word.startswith("http"))
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}", {k: v[0] for k, v in parse_qs(parts.query).items()}


class Outbox:
    """What moto's SES received from now on."""

    def __init__(self, account_id: str) -> None:
        self._backend = ses_backends[account_id]["us-east-1"]
        self._before = len(self._backend.sent_messages)

    @property
    def sent(self) -> list[Mail]:
        messages = self._backend.sent_messages[self._before :]
        return [Mail(m.destinations["ToAddresses"], m.subject, m.body) for m in messages]


@pytest.fixture
def outbox(app_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Outbox]:
    """SES v2 (moto) with the sender's domain verified, as in the deployed stack."""
    with own_moto_account(monkeypatch) as account_id:
        setenv(monkeypatch, EMAIL_DELIVERY="ses", APP_BASE_URL="https://app.imagify.test")
        sesv2 = boto3.client("sesv2", region_name="us-east-1")
        sesv2.create_email_identity(EmailIdentity="imagify.app")
        try:
            yield Outbox(account_id)
        finally:
            sesv2.delete_email_identity(EmailIdentity="imagify.app")


def _token_rows(sql: Sql) -> list[dict[str, Any]]:
    return sql.execute("SELECT identifier, token, expires FROM verification_tokens").fetchall()


def _verified(sql: Sql, account: Account) -> Any:
    return scalar(sql, "SELECT email_verified FROM users WHERE id = %s", (account.id,))


def test_verify_email_mails_a_link_whose_token_is_stored_only_as_its_sha256(
    api: ApiClient, alice: Account, outbox: Outbox, sql: Sql
):
    # When alice asks for a verification mail
    reply = api.post("/auth/verify-email/request", token=alice.access_token)

    # Then one mail goes to her, with a link to the frontend's page carrying her email and a token
    assert reply.status == 202, reply.body
    [mail] = outbox.sent
    assert mail.to == ["alice@example.com"]
    page, query = mail.link
    assert page == "https://app.imagify.test/verify-email"
    assert query["email"] == "alice@example.com"
    raw = query["token"]
    assert len(raw) >= 43  # 256 bits
    # And the table holds the token's SHA-256, never the token itself
    [row] = _token_rows(sql)
    assert row["identifier"] == "verify-email:alice@example.com"
    assert row["token"] == hashlib.sha256(raw.encode()).hexdigest()
    assert all(raw not in str(value) for value in row.values())


def test_a_verification_link_works_once(api: ApiClient, alice: Account, outbox: Outbox, sql: Sql):
    api.post("/auth/verify-email/request", token=alice.access_token)
    _, query = outbox.sent[0].link
    assert _verified(sql, alice) is None

    first = api.post("/auth/verify-email/confirm", body=query)
    second = api.post("/auth/verify-email/confirm", body=query)

    assert first.status == 200, first.body
    assert first.json()["user"]["id"] == str(alice.id)
    assert first.json()["user"]["emailVerified"] is not None
    assert _verified(sql, alice) is not None
    assert second.status == 422
    assert second.error_code == "validation_error"
    assert _token_rows(sql) == []


def test_an_expired_verification_link_is_422(api: ApiClient, alice: Account, outbox: Outbox, sql: Sql):
    api.post("/auth/verify-email/request", token=alice.access_token)
    _, query = outbox.sent[0].link
    sql.execute("UPDATE verification_tokens SET expires = now() - interval '1 minute'")

    reply = api.post("/auth/verify-email/confirm", body=query)

    assert reply.status == 422
    assert reply.error_code == "validation_error"
    assert _verified(sql, alice) is None


def test_asking_again_makes_the_earlier_link_stop_working(api: ApiClient, alice: Account, outbox: Outbox, sql: Sql):
    api.post("/auth/verify-email/request", token=alice.access_token)
    api.post("/auth/verify-email/request", token=alice.access_token)
    (_, old), (_, new) = (mail.link for mail in outbox.sent)

    assert api.post("/auth/verify-email/confirm", body=old).status == 422
    assert api.post("/auth/verify-email/confirm", body=new).status == 200


def test_a_token_for_one_address_does_not_verify_another(
    api: ApiClient, alice: Account, make_user: MakeUser, outbox: Outbox, sql: Sql
):
    bob = make_user("bob@example.com")
    api.post("/auth/verify-email/request", token=alice.access_token)
    _, query = outbox.sent[0].link

    reply = api.post("/auth/verify-email/confirm", body={**query, "email": "bob@example.com"})

    assert reply.status == 422
    assert _verified(sql, bob) is None


def test_password_reset_changes_the_password_and_ends_every_session(
    api: ApiClient, alice: Account, outbox: Outbox, sql: Sql
):
    # Given alice is signed in on two devices
    other_device = api.post("/auth/login", body={"email": "alice@example.com", "password": PASSWORD})
    assert other_device.status == 200
    assert scalar(sql, "SELECT count(*) FROM sessions WHERE user_id = %s", (alice.id,)) == 2

    # When she asks for a reset (typing her email in capitals) and follows the link
    requested = api.post("/auth/password-reset/request", body={"email": "ALICE@example.com"})
    assert requested.status == 202, requested.body
    [mail] = outbox.sent
    assert mail.to == ["alice@example.com"]
    page, query = mail.link
    assert page == "https://app.imagify.test/reset-password"
    [row] = _token_rows(sql)
    assert row["identifier"] == "password-reset:alice@example.com"
    assert row["token"] == hashlib.sha256(query["token"].encode()).hexdigest()
    confirmed = api.post("/auth/password-reset/confirm", body={**query, "newPassword": "a brand new password"})

    # Then the password is changed and every session is gone, with the tokens that came with them
    assert confirmed.status == 204, confirmed.body
    assert scalar(sql, "SELECT count(*) FROM sessions WHERE user_id = %s", (alice.id,)) == 0
    for token in (alice.access_token, alice.session_token, other_device.json()["accessToken"]):
        assert api.get("/me", token=token).status == 401
    assert api.post("/auth/login", body={"email": "alice@example.com", "password": PASSWORD}).status == 401
    assert (
        api.post("/auth/login", body={"email": "alice@example.com", "password": "a brand new password"}).status == 200
    )
    # And the link works once only
    again = api.post("/auth/password-reset/confirm", body={**query, "newPassword": "yet another password"})
    assert again.status == 422
    assert again.error_code == "validation_error"


def test_an_expired_reset_link_is_422_and_changes_nothing(api: ApiClient, alice: Account, outbox: Outbox, sql: Sql):
    api.post("/auth/password-reset/request", body={"email": "alice@example.com"})
    _, query = outbox.sent[0].link
    sql.execute("UPDATE verification_tokens SET expires = now() - interval '1 second'")

    reply = api.post("/auth/password-reset/confirm", body={**query, "newPassword": "a brand new password"})

    assert reply.status == 422
    assert scalar(sql, "SELECT password_hash FROM users WHERE id = %s", (alice.id,)) == alice.user.password_hash
    assert scalar(sql, "SELECT count(*) FROM sessions WHERE user_id = %s", (alice.id,)) == 1


def test_a_verification_token_cannot_reset_a_password(api: ApiClient, alice: Account, outbox: Outbox, sql: Sql):
    api.post("/auth/verify-email/request", token=alice.access_token)
    _, query = outbox.sent[0].link

    reply = api.post("/auth/password-reset/confirm", body={**query, "newPassword": "a brand new password"})

    assert reply.status == 422
    assert scalar(sql, "SELECT password_hash FROM users WHERE id = %s", (alice.id,)) == alice.user.password_hash


def test_a_reset_for_an_unknown_email_is_202_and_sends_nothing(
    api: ApiClient, alice: Account, outbox: Outbox, sql: Sql
):
    reply = api.post("/auth/password-reset/request", body={"email": "nobody@example.com"})

    assert reply.status == 202
    assert reply.body == b""
    assert outbox.sent == []
    assert _token_rows(sql) == []


def test_a_reset_request_answers_the_same_for_known_and_unknown_emails(api: ApiClient, alice: Account, outbox: Outbox):
    known = api.post("/auth/password-reset/request", body={"email": "alice@example.com"})
    unknown = api.post("/auth/password-reset/request", body={"email": "nobody@example.com"})

    assert (known.status, known.body, known.headers) == (unknown.status, unknown.body, unknown.headers)
    assert len(outbox.sent) == 1
