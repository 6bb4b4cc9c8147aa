"""Access tokens (our HS256 JWTs): every forgery or stale token is refused, by the verifier and the authorizer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from devstack import events
from devstack.context import LambdaContext
from devstack.runtime import Handler
from imagify.identity import credentials
from imagify.identity.credentials import InvalidToken, verify_access_token
from tests.support.env import setenv
from tests.support.identity import SIGNING_SECRET, Account

ISSUER = "https://api.imagify.app"
AUDIENCE = "imagify-web"
OLD_SECRET = "k0-an-older-secret-0123456789-abcdefghij"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PUBLIC_PEM = RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(account: Account, **changes: Any) -> dict[str, Any]:
    """What our own access token for ``account`` holds; ``None`` removes a claim."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(account.id),
        "sid": str(account.session_id),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, Any], secret: str = SIGNING_SECRET, kid: str = "k1") -> str:
    return jwt.encode(claims, secret, algorithm="HS256", headers={"kid": kid})


def _hand_signed(header: dict[str, Any], claims: dict[str, Any], key: bytes) -> str:
    """A JWT put together by hand, HMAC-SHA256 over whatever key an attacker picked."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _flip_a_signature_byte(token: str) -> str:
    head, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return f"{head}.{payload}.{_b64(bytes(raw))}"


Forgery = Callable[[Account], str]

FORGERIES: dict[str, Forgery] = {
    "alg-none": lambda a: jwt.encode(_claims(a), "", algorithm="none", headers={"kid": "k1"}),
    "alg-none-with-empty-signature-of-a-real-token": lambda a: (
        _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "k1"}).encode())
        + "."
        + _sign(_claims(a)).split(".")[1]
        + "."
    ),
    "hs256-keyed-with-an-rsa-public-key-pem": lambda a: _hand_signed(
        {"alg": "HS256", "typ": "JWT", "kid": "k1"}, _claims(a), RSA_PUBLIC_PEM
    ),
    "rs256": lambda a: jwt.encode(_claims(a), RSA_KEY, algorithm="RS256", headers={"kid": "k1"}),
    "hs512-with-the-real-key": lambda a: jwt.encode(
        _claims(a), SIGNING_SECRET, algorithm="HS512", headers={"kid": "k1"}
    ),
    "expired": lambda a: _sign(_claims(a, iat=int(time.time()) - 3600, nbf=None, exp=int(time.time()) - 120)),
    "nbf-in-the-future": lambda a: _sign(_claims(a, nbf=int(time.time()) + 300, exp=int(time.time()) + 900)),
    "iat-in-the-future": lambda a: _sign(_claims(a, iat=int(time.time()) + 300, nbf=None, exp=int(time.time()) + 900)),
    "wrong-audience": lambda a: _sign(_claims(a, aud="someone-else")),
    "wrong-issuer": lambda a: _sign(_claims(a, iss="https://evil.example")),
    "unknown-kid": lambda a: _sign(_claims(a), kid="k9"),
    "no-kid": lambda a: jwt.encode(_claims(a), SIGNING_SECRET, algorithm="HS256"),
    "signed-with-another-secret": lambda a: _sign(_claims(a), secret="an-attackers-secret-0123456789-abcdefgh"),
    "one-flipped-signature-byte": lambda a: _flip_a_signature_byte(_sign(_claims(a))),
    "missing-sub": lambda a: _sign(_claims(a, sub=None)),
    "sub-not-a-uuid": lambda a: _sign(_claims(a, sub="alice")),
    "missing-exp": lambda a: _sign(_claims(a, exp=None)),
    "missing-aud": lambda a: _sign(_claims(a, aud=None)),
    "missing-iss": lambda a: _sign(_claims(a, iss=None)),
    "missing-iat": lambda a: _sign(_claims(a, iat=None)),
    "payload-swapped-under-a-real-signature": lambda a: ".".join(
        [
            _sign(_claims(a)).split(".")[0],
            _b64(json.dumps(_claims(a, sub="00000000-0000-0000-0000-000000000000")).encode()),
            _sign(_claims(a)).split(".")[2],
        ]
    ),
    "not-a-jwt": lambda a: "eyJ.garbage.here",
    "a-lifetime-of-ten-years": lambda a: _sign(_claims(a, exp=int(time.time()) + 10 * 365 * 86400)),
    "a-lifetime-just-past-the-ttl": lambda a: _sign(_claims(a, exp=int(time.time()) + 15 * 60 + 1)),
    "exp-not-a-number": lambda a: _sign(_claims(a, exp="never")),
}


def authorize(authorizer: Handler, token: str) -> dict[str, Any]:
    """The authorizer's answer for ``Authorization: Bearer <token>`` on ``GET /me``."""
    proxy = events.api_event("GET", "/me", headers={"Authorization": f"Bearer {token}"})
    event = events.request_authorizer_event(proxy, events.method_arn("GET", "/me"))
    answer: dict[str, Any] = authorizer(event, LambdaContext("devstack-AuthorizerFunction"))
    return answer


def assert_refused(authorizer: Handler, token: str) -> None:
    with pytest.raises(InvalidToken):
        verify_access_token(token)
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(authorizer, token)


def test_our_own_claims_signed_with_the_signing_key_are_accepted(authorizer: Handler, alice: Account):
    # The control for every forgery below: the same claims, signed properly, pass both checks.
    token = _sign(_claims(alice))

    assert verify_access_token(token) == credentials.AccessClaims(user_id=alice.id, session_id=alice.session_id)
    assert authorize(authorizer, token)["context"]["userId"] == str(alice.id)
    assert authorize(authorizer, alice.access_token)["context"]["userId"] == str(alice.id)


def test_a_token_within_the_leeway_is_accepted(authorizer: Handler, alice: Account):
    # Clocks drift: a token issued a few seconds "in the future", or just expired, is still fine.
    now = int(time.time())
    assert authorize(authorizer, _sign(_claims(alice, iat=now + 10, nbf=now + 10)))
    assert authorize(authorizer, _sign(_claims(alice, iat=now - 700, nbf=now - 700, exp=now - 10)))


@pytest.mark.parametrize("forgery", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_or_invalid_token_is_refused(authorizer: Handler, alice: Account, forgery: Forgery):
    assert_refused(authorizer, forgery(alice))


def test_a_token_of_an_older_key_still_listed_verifies(
    authorizer: Handler, alice: Account, monkeypatch: pytest.MonkeyPatch
):
    # Given a token signed by k0 while k0 was the signing key
    setenv(monkeypatch, JWT_KEYS=json.dumps({"signingKid": "k0", "k0": OLD_SECRET, "k1": SIGNING_SECRET}))
    old = credentials.issue_access_token(alice.id, session_id=alice.session_id).token
    assert jwt.get_unverified_header(old)["kid"] == "k0"

    # When the keys rotate: k1 signs, k0 stays listed
    setenv(monkeypatch, JWT_KEYS=json.dumps({"signingKid": "k1", "k1": SIGNING_SECRET, "k0": OLD_SECRET}))

    # Then the old token still verifies, and new tokens are signed by k1
    assert verify_access_token(old).user_id == alice.id
    assert authorize(authorizer, old)["context"]["userId"] == str(alice.id)
    new = credentials.issue_access_token(alice.id, session_id=alice.session_id).token
    assert jwt.get_unverified_header(new)["kid"] == "k1"


def test_a_token_of_a_rotated_out_key_is_refused(authorizer: Handler, alice: Account, monkeypatch: pytest.MonkeyPatch):
    # Given a token signed by k0, which verified while k0 was listed
    setenv(monkeypatch, JWT_KEYS=json.dumps({"signingKid": "k0", "k0": OLD_SECRET, "k1": SIGNING_SECRET}))
    old = credentials.issue_access_token(alice.id, session_id=alice.session_id).token
    assert authorize(authorizer, old)["context"]["userId"] == str(alice.id)

    # When k0 is removed from JWT_KEYS
    setenv(monkeypatch, JWT_KEYS=json.dumps({"signingKid": "k1", "k1": SIGNING_SECRET}))

    # Then the token no longer works
    assert_refused(authorizer, old)
