"""moto for one test without disturbing the session's local stack.

moto's state is process-wide and the session-wide local stack (``tests/conftest.py``'s ``local_stack``) keeps
its buckets, secrets and state machines in it: ``with mock_aws():`` would wipe them on start. A test's own
AWS lives in an account of its own instead, started without a reset and stopped without removing data; the
test deletes what it made, or leaves it in its own account.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from moto import mock_aws

ACCOUNT_ID = "210987654321"


@contextmanager
def own_moto_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT_ID)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SFN"):
        monkeypatch.delenv(name, raising=False)  # in-process mock, not the local stack's server
    mock = mock_aws()
    mock.start(reset=False)
    try:
        yield ACCOUNT_ID
    finally:
        mock.stop(remove_data=False)
