"""Webhook signatures (``imagify.webhooks.signing``), judged by the Standard Webhooks specification's own library:
what a receiver runs to verify a delivery, so a signature it refuses is a bug of ours."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from imagify.webhooks import signing

BODY = json.dumps({"type": "generation.completed", "data": {"id": "9f1c", "status": "completed"}}).encode()


def test_a_new_secret_is_whsec_and_the_base64_of_32_random_bytes():
    secret = signing.new_secret()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert signing.new_secret() != secret
    Webhook(secret)  # (the library takes it as it is)


def test_a_delivery_verifies_with_the_specifications_library():
    secret = signing.new_secret()
    now = int(time.time())

    headers = signing.headers([secret], "msg_1", now, BODY)

    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)
    assert headers == {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(now),
        "webhook-signature": signing.signature(secret, "msg_1", now, BODY),
        "content-type": "application/json",
        "user-agent": "Imagify-Webhooks/1.0",
    }


def test_the_signature_is_the_one_the_library_makes_and_the_specifications_example():
    secret, now = signing.new_secret(), int(time.time())
    assert signing.signature(secret, "msg_2", now, BODY) == Webhook(secret).sign(
        "msg_2", datetime.fromtimestamp(now, UTC), BODY
    )
    # The test vector the reference libraries share
    assert (
        signing.signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            b'{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_during_a_rotation_both_secrets_sign_and_each_alone_verifies():
    new, old = signing.new_secret(), signing.new_secret()

    headers = signing.headers([new, old], "msg_3", int(time.time()), BODY)

    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (new, old):
        assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(BODY, headers)


def test_a_tampered_delivery_or_a_wrong_secret_is_refused():
    secret, now = signing.new_secret(), int(time.time())
    headers = signing.headers([secret], "msg_4", now, BODY)

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"completed", b"failed"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):  # the id and the timestamp are signed too
        Webhook(secret).verify(BODY, {**headers, "webhook-id": "msg_5"})
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**headers, "webhook-timestamp": str(now - 1)})


def test_a_body_is_signed_byte_for_byte():
    secret, body = signing.new_secret(), b'{"caption": "caf\xc3\xa9"}\xff'
    headers = signing.headers([secret], "msg_6", int(time.time()), body)

    assert Webhook(secret).verify(body, headers, json_parse=False) is None


def test_a_secret_of_another_form_or_none_at_all_is_a_mistake():
    with pytest.raises(ValueError, match="whsec_"):
        signing.signature(base64.b64encode(b"k" * 32).decode(), "msg_7", 0, BODY)
    with pytest.raises(ValueError, match="at least one secret"):
        signing.headers([], "msg_7", 0, BODY)
