"""The wardrobe suite's fixtures: SQL of the test's own to look at rows."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.integration.wardrobe.helpers import Sql, ensure_stack_resources


@pytest.fixture
def sql(database: str) -> Iterator[Sql]:
    """An autocommit connection to the test database, apart from the app's."""
    with psycopg.connect(database, autocommit=True, row_factory=dict_row) as conn:
        yield conn


@pytest.fixture(autouse=True)
def _stack_resources(request: pytest.FixtureRequest) -> None:
    """A test through the API gets the local stack's bucket and state machine, whatever ran before it."""
    if "api" in request.fixturenames:
        ensure_stack_resources(request.getfixturevalue("local_stack"))
