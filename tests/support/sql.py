"""A test's own look at the database: the ``sql`` fixture's connection and the queries tests read rows with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, LiteralString

import psycopg
from psycopg.rows import DictRow

Sql = psycopg.Connection[DictRow]
"""A test's own autocommit connection (the ``sql`` fixture)."""

# The tables the frontend's seed (Drizzle) also creates; every test's data lives in them.
SEED_TABLES = (
    "users",
    "accounts",
    "sessions",
    "generations",
    "wardrobe_items",
    "wardrobe_collections",
    "advisor_sessions",
    "verification_tokens",
)


def scalar(sql: Sql, query: LiteralString, params: Sequence[Any] = ()) -> Any:
    """The one value of a query's one row."""
    row = sql.execute(query, params).fetchone()
    assert row is not None, query
    return next(iter(row.values()))


def one(sql: Sql, query: LiteralString, params: Sequence[Any] = ()) -> DictRow:
    """A query's row, which must exist."""
    row = sql.execute(query, params).fetchone()
    assert row is not None, query
    return row


def rows(sql: Sql, query: LiteralString, params: Sequence[Any] = ()) -> list[DictRow]:
    return sql.execute(query, params).fetchall()
