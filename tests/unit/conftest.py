"""The unit layer: pure logic, no database, no network. Every test under tests/unit runs with sockets
disabled (pytest-socket), so a test that reaches for Postgres, moto or an HTTP fake fails at once."""

from __future__ import annotations

from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(UNIT):
            item.add_marker(pytest.mark.disable_socket)
