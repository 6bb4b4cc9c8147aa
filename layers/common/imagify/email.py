"""Outgoing mail: SES v2 in AWS; the local stack prints the message instead."""

from __future__ import annotations

import sys
from typing import Any

from imagify import clients
from imagify.settings import identity_settings


def send(to: str, subject: str, text: str, *, client: Any | None = None) -> None:
    settings = identity_settings()
    if settings.email_delivery == "log":
        # The local stack only: the message goes to the terminal, never to the structured log.
        print(f"\n[local mail] to {to}: {subject}\n{text}\n", file=sys.stderr, flush=True)
        return
    (client or clients.sesv2()).send_email(
        FromEmailAddress=settings.email_from,
        Destination={"ToAddresses": [to]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
    )
