"""Sign-in with an OpenID Connect ID token, against a local identity provider's JWKS."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.support.api import ApiClient
from tests.support.env import setenv
from tests.support.identity import ADMIN_EMAIL, Account
from tests.support.sql import Sql, scalar

ISSUER = "https://idp.test"
AUDIENCE = "imagify-web-client"
KID = "idp-key-1"
IDP_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Jwks(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        if self.path != "/jwks":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def jwks_uri() -> Iterator[str]:
    """A JWKS endpoint on 127.0.0.1 publishing the identity provider's public key."""
    public = RSAAlgorithm.to_jwk(IDP_KEY.public_key(), as_dict=True)
    _Jwks.body = json.dumps({"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def idp(app_env: str, jwks_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    providers = {"testidp": {"issuers": [ISSUER], "jwksUri": jwks_uri, "audiences": [AUDIENCE]}}
    setenv(monkeypatch, OIDC_PROVIDERS=json.dumps(providers))


def id_token(
    sub: str = "idp-subject-1",
    email: str | None = "carol@example.com",
    *,
    verified: bool = True,
    key: rsa.RSAPrivateKey = IDP_KEY,
    iss: str = ISSUER,
    aud: str = AUDIENCE,
    expires_in: int = 600,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": iss,
        "aud": aud,
        "sub": sub,
        "iat": min(now, now + expires_in - 60),
        "exp": now + expires_in,
        "email_verified": verified,
        "name": "Carol",
    }
    if email is not None:
        claims["email"] = email
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


def _accounts(sql: Sql) -> list[dict[str, Any]]:
    return sql.execute(
        "SELECT user_id, type, provider, provider_account_id, id_token FROM accounts ORDER BY created_at"
    ).fetchall()


def _sign_in(api: ApiClient, token: str, provider: str = "testidp") -> Any:
    return api.post(f"/auth/oauth/{provider}", body={"idToken": token})


@pytest.mark.usefixtures("idp")
def test_a_valid_id_token_signs_in_a_new_user_with_an_account_row(api: ApiClient, sql: Sql):
    token = id_token(email="  Carol@Example.com ")

    reply = _sign_in(api, token)

    # Then the caller is signed in as a new, verified user
    assert reply.status == 200, reply.body
    assert set(reply.json()) == {"user", "accessToken", "sessionToken", "expiresAt"}
    user = reply.json()["user"]
    assert user["email"] == "Carol@Example.com"  # trimmed, as the provider spelled it
    assert user["emailVerified"] is not None
    assert (user["role"], user["tokens"]) == ("user", 50)
    assert api.get("/me", token=reply.json()["accessToken"]).json()["id"] == user["id"]
    # And the provider's account is linked to them
    assert _accounts(sql) == [
        {
            "user_id": scalar(sql, "SELECT id FROM users"),
            "type": "oidc",
            "provider": "testidp",
            "provider_account_id": "idp-subject-1",
            "id_token": token,
        }
    ]
    assert scalar(sql, "SELECT password_hash FROM users") is None


@pytest.mark.usefixtures("idp")
def test_a_second_sign_in_reuses_the_account(api: ApiClient, sql: Sql):
    first = _sign_in(api, id_token())
    second_token = id_token(expires_in=1200)

    second = _sign_in(api, second_token)

    assert second.status == 200, second.body
    assert second.json()["user"]["id"] == first.json()["user"]["id"]
    assert scalar(sql, "SELECT count(*) FROM users") == 1
    accounts = _accounts(sql)
    assert len(accounts) == 1
    assert accounts[0]["id_token"] == second_token


@pytest.mark.usefixtures("idp")
def test_a_verified_email_links_to_the_existing_password_user(api: ApiClient, alice: Account, sql: Sql):
    reply = _sign_in(api, id_token(sub="alice-at-idp", email="ALICE@example.com", verified=True))

    assert reply.status == 200, reply.body
    assert reply.json()["user"]["id"] == str(alice.id)
    assert reply.json()["user"]["emailVerified"] is not None
    assert [(a["user_id"], a["provider_account_id"]) for a in _accounts(sql)] == [(alice.id, "alice-at-idp")]
    # And her password still works (the link adds a way in, it takes none away)
    assert scalar(sql, "SELECT password_hash FROM users WHERE id = %s", (alice.id,)) == alice.user.password_hash
    assert scalar(sql, "SELECT count(*) FROM users") == 1


@pytest.mark.usefixtures("idp")
def test_an_unverified_email_of_an_existing_password_account_is_409_and_links_nothing(
    api: ApiClient, alice: Account, sql: Sql
):
    reply = _sign_in(api, id_token(sub="attacker", email="alice@example.com", verified=False))

    assert reply.status == 409
    assert reply.error_code == "email_taken"
    assert _accounts(sql) == []
    assert scalar(sql, "SELECT count(*) FROM users") == 1
    assert scalar(sql, "SELECT count(*) FROM sessions WHERE user_id = %s", (alice.id,)) == 1


@pytest.mark.usefixtures("idp")
@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: id_token(key=OTHER_KEY), id="signed-by-another-key"),
        pytest.param(lambda: id_token(aud="someone-elses-client"), id="wrong-audience"),
        pytest.param(lambda: id_token(iss="https://evil.example"), id="wrong-issuer"),
        pytest.param(lambda: id_token(expires_in=-120), id="expired"),
        pytest.param(
            lambda: jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "x"}, "k" * 32, algorithm="HS256"),
            id="hs256-not-from-the-provider",
        ),
        pytest.param(lambda: "not.a.jwt", id="garbage"),
    ],
)
def test_an_invalid_id_token_is_401_and_creates_nothing(api: ApiClient, alice: Account, sql: Sql, token: Any):
    reply = _sign_in(api, token())

    assert reply.status == 401, reply.body
    assert reply.error_code == "unauthorized"
    assert _accounts(sql) == []
    assert scalar(sql, "SELECT count(*) FROM users") == 1


@pytest.mark.usefixtures("idp")
def test_an_unknown_provider_is_404(api: ApiClient, sql: Sql):
    reply = _sign_in(api, id_token(), provider="myspace")

    assert reply.status == 404
    assert reply.error_code == "not_found"
    assert scalar(sql, "SELECT count(*) FROM users") == 0


@pytest.mark.usefixtures("idp")
@pytest.mark.parametrize(("verified", "role", "tokens"), [(True, "admin", 1000), (False, "user", 50)])
def test_an_admin_email_makes_an_admin_only_when_the_provider_verified_it(
    api: ApiClient, verified: bool, role: str, tokens: int
):
    reply = _sign_in(api, id_token(sub="boss", email=ADMIN_EMAIL, verified=verified))

    assert reply.status == 200, reply.body
    assert (reply.json()["user"]["role"], reply.json()["user"]["tokens"]) == (role, tokens)
