"""The unit layer: pure logic, no database, no network. Every test under tests/unit runs with sockets
disabled (pytest-socket), so a test that reaches for Postgres, moto or an HTTP fake fails at once."""

from __future__ import annotations

from pathlib import Path

import pytest

# The X-Ray SDK (under Powertools' Tracer) opens its UDP emitter's socket when it is imported, sending nothing:
# import it here, before sockets are disabled, so a test that is the first to import a function still runs.
import imagify.observability  # noqa: F401

UNIT = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(UNIT):
            item.add_marker(pytest.mark.disable_socket)
