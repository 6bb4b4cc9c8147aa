"""The database built by migrations/ is, name for name, the one drizzle-kit builds from the seed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from imagify import migrator
from tests.support.sql import SEED_TABLES

REFERENCE_SQL = Path(__file__).parent.parent / "fixtures" / "drizzle-reference.sql"

_COLUMNS = """
SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
       pg_get_expr(d.adbin, d.adrelid) AS default, a.attnotnull AS not_null
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relname = ANY(%(tables)s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, 2
"""

_CONSTRAINTS = """
SELECT c.relname AS table, k.conname AS name, k.contype AS kind, pg_get_constraintdef(k.oid) AS definition
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
WHERE c.relname = ANY(%(tables)s)
  -- a constraint trigger (contype 't', migrations/0010) is a trigger, not part of the table's shape
  AND k.contype <> 't'
ORDER BY 1, 2
"""

_INDEXES = """
SELECT tablename AS table, indexname AS name, indexdef AS definition
FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%(tables)s)
ORDER BY 1, 2
"""

_ENUMS = """
SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
WHERE t.typname IN (
    SELECT udt_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY(%(tables)s)
)
GROUP BY t.typname ORDER BY 1
"""


def catalog(url: str) -> dict[str, list[dict[str, Any]]]:
    params = {"tables": list(SEED_TABLES)}
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return {
            "columns": conn.execute(_COLUMNS, params).fetchall(),
            "constraints": conn.execute(_CONSTRAINTS, params).fetchall(),
            "indexes": conn.execute(_INDEXES, params).fetchall(),
            "enums": conn.execute(_ENUMS, params).fetchall(),
        }


def _database_from_reference(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(REFERENCE_SQL.read_bytes(), prepare=False)


def _database_from_migrations(url: str, directory: Path = migrator.MIGRATIONS_DIR) -> None:
    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        migrator.apply(conn, directory)


@pytest.fixture
def seed_migration_only(tmp_path: Path) -> Path:
    (tmp_path / "0001_seed_schema.sql").write_bytes((migrator.MIGRATIONS_DIR / "0001_seed_schema.sql").read_bytes())
    return tmp_path


@pytest.fixture
def reference_database(make_database: Callable[[], str]) -> str:
    url = make_database()
    _database_from_reference(url)
    return url


def test_the_seed_migration_builds_exactly_the_reference_catalog(
    scratch_database: str, reference_database: str, seed_migration_only: Path
):
    # Given one database built from drizzle-kit's DDL and one built by our seed migration
    _database_from_migrations(scratch_database, seed_migration_only)

    # When their catalogs are read for the eight seed tables
    reference, ours = catalog(reference_database), catalog(scratch_database)

    # Then every column, constraint (with its ON DELETE action), index and enum label is the same
    assert {row["table"] for row in reference["columns"]} == set(SEED_TABLES)
    assert [e["name"] for e in reference["enums"]] == ["generation_mode", "generation_status"]
    for part in ("columns", "constraints", "indexes", "enums"):
        assert ours[part] == reference[part], part


def test_later_migrations_keep_the_seed_tables_shape(scratch_database: str, reference_database: str):
    # Given the reference, and a database built by every migration
    _database_from_migrations(scratch_database)

    # When their catalogs are compared
    reference, ours = catalog(reference_database), catalog(scratch_database)

    # Then the seed tables' columns, constraints and enums are untouched, and its indexes all there as they
    # were (later migrations may only add indexes, for the queries this backend runs)
    for part in ("columns", "constraints", "enums"):
        assert ours[part] == reference[part], part
    ours_by_name = {index["name"]: index for index in ours["indexes"]}
    for index in reference["indexes"]:
        assert ours_by_name.get(index["name"]) == index


def test_the_comparison_notices_a_difference(scratch_database: str, reference_database: str):
    # Given the two databases, one of which then drifts by a single default and an index
    _database_from_migrations(scratch_database)
    with psycopg.connect(scratch_database, autocommit=True) as conn:
        conn.execute("ALTER TABLE users ALTER COLUMN tokens SET DEFAULT 51")
        conn.execute("CREATE INDEX idx_extra ON sessions(expires)")

    # When compared, Then the drift shows up
    reference, ours = catalog(reference_database), catalog(scratch_database)
    assert ours["columns"] != reference["columns"]
    assert ours["indexes"] != reference["indexes"]


def test_updated_at_is_set_by_every_update(database: str):
    # Given a user and a wardrobe item created an hour ago
    with psycopg.connect(database, autocommit=True, row_factory=dict_row) as conn:
        user = conn.execute(
            "INSERT INTO users (email, updated_at) VALUES ('u@example.com', now() - interval '1 hour') "
            "RETURNING id, updated_at"
        ).fetchone()
        assert user is not None
        item = conn.execute(
            "INSERT INTO wardrobe_items (user_id, image_base64, updated_at) "
            "VALUES (%s, 'data:image/png;base64,AA==', now() - interval '1 hour') RETURNING id, updated_at",
            (user["id"],),
        ).fetchone()
        assert item is not None

        # When each is updated by plain SQL
        after_user = conn.execute(
            "UPDATE users SET name = 'New' WHERE id = %s RETURNING updated_at", (user["id"],)
        ).fetchone()
        after_item = conn.execute(
            "UPDATE wardrobe_items SET title = 'New' WHERE id = %s RETURNING updated_at", (item["id"],)
        ).fetchone()

    # Then updated_at moved forward
    assert after_user is not None and after_user["updated_at"] > user["updated_at"]
    assert after_item is not None and after_item["updated_at"] > item["updated_at"]
