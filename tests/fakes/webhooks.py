"""A webhook receiver on loopback, as a user's server would be: it verifies every delivery's signature with the
``standardwebhooks`` package (the specification's own library, not our code), de-duplicates by ``webhook-id``
as the specification asks receivers to, and answers what a test scripts (a 500, a slow answer, a redirect)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.fakes.http import Recorded, Reply, ScriptedServer


@dataclass
class Receipt:
    request: Recorded
    verified: bool
    duplicate: bool
    payload: Any = None

    @property
    def webhook_id(self) -> str | None:
        return header(self.request, "webhook-id")

    @property
    def signatures(self) -> list[str]:
        return (header(self.request, "webhook-signature") or "").split()

    def verifies_with(self, secret: str) -> bool:
        """Whether this delivery verifies with ``secret`` alone (a receiver holding only that one)."""
        try:
            Webhook(secret).verify(self.request.raw, self.request.headers)
        except WebhookVerificationError:
            return False
        return True


def header(request: Recorded, name: str) -> str | None:
    """A request header, by its name in any case."""
    return next((value for key, value in request.headers.items() if key.lower() == name.lower()), None)


@dataclass
class Receiver(ScriptedServer):
    secrets: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()
        self.receipts: list[Receipt] = []
        self.handled: list[dict[str, Any]] = []  # each event once, as a receiver that de-duplicates handles it
        self.handled_ids: set[str] = set()
        self.connections = 0  # every TCP connection accepted, even one that never became a request
        self._lock = threading.Lock()
        accept = self._server.verify_request

        def counted(request: Any, client_address: Any) -> bool:
            with self._lock:
                self.connections += 1
            return accept(request, client_address)

        self._server.verify_request = counted  # type: ignore[method-assign]

    def trust(self, secret: str) -> None:
        """Verify with this secret (a receiver holds one: the newest it was given)."""
        self.secrets = [secret]

    def answer(self, *replies: Reply) -> None:
        """Answer these from now on (forgetting what was scripted before; unscripted again without any)."""
        with self._lock:
            self.replies.clear()
            self.last = None
            self.replies.extend(replies)

    def reply_to(self, request: Recorded) -> Reply:
        verified = False
        payload: Any = None
        for secret in self.secrets:
            try:
                payload = Webhook(secret).verify(request.raw, request.headers)
                verified = True
                break
            except WebhookVerificationError:
                continue
        with self._lock:
            message_id = header(request, "webhook-id")
            # A duplicate is an event this receiver has already handled (answered 2xx for): a delivery it failed
            # is not handled, so its retry is not a duplicate.
            duplicate = verified and message_id in self.handled_ids
            self.receipts.append(Receipt(request, verified, duplicate, payload))
            reply = self._next() if self.replies or self.last else Reply(204, b"")
            if verified and not duplicate and 200 <= reply.status < 300:
                self.handled.append(payload)
                self.handled_ids.add(str(message_id))
        return reply

    def wait_for(self, count: int, timeout_s: float = 30) -> list[Receipt]:
        """The receipts, once there are ``count`` (or the timeout)."""
        deadline = time.monotonic() + timeout_s
        while len(self.receipts) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.receipts


@contextmanager
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    try:
        yield server
    finally:
        server.stop()
