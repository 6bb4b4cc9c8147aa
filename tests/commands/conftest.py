"""The ``build`` marker: tests that run ``make build`` (SAM CLI + python3.13) and check its artifact."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "build: runs `make build` and checks the artifact as Lambda loads it (part of `make test`)"
    )
