"""``python -m devstack.receiver`` as the README's recipe runs it: a subprocess that verifies deliveries with the
``standardwebhooks`` package, answers the first ``--fail`` of them 500, then 204, and a forged one 401."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from imagify.webhooks import signing

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def receiver(free_tcp_port: int) -> Iterator[int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.receiver", "--secret", SECRET, "--port", str(free_tcp_port), "--fail", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", free_tcp_port, timeout=1).connect()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield free_tcp_port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _post(port: int, body: bytes, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("POST", "/imagify", body, headers)
    return connection.getresponse().status


def test_the_recipes_receiver_verifies_fails_once_then_takes_and_refuses_a_forgery(receiver: int):
    body = b'{"type":"generation.completed","timestamp":"2026-12-04T06:00:00.000000Z","data":{}}'
    signed = signing.headers([SECRET], "3f0c6a1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b", int(time.time()), body)

    assert _post(receiver, body, signed) == 500  # --fail 1
    assert _post(receiver, body, signed) == 204
    assert _post(receiver, body.replace(b"completed", b"failed"), signed) == 401
