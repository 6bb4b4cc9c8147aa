"""The tag filter of ``GET /wardrobe/items`` matches any case and is answered from the GIN index on
``lower_tags(tags)``, for a big wardrobe.

The query is the app's own (captured from ``items.page``), on a table of thousands of rows with fresh
statistics; the planner is left to its own choices (no ``enable_seqscan = off``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from psycopg import sql as pgsql

from imagify import db
from imagify.wardrobe import items
from tests.support.sql import Sql

GIN = "idx_wardrobe_items_tags_lower"


def plan_of(sql: Sql, query: Any, params: Any) -> str:
    return "\n".join(r["QUERY PLAN"] for r in sql.execute(pgsql.SQL("EXPLAIN ") + query, params).fetchall())


@pytest.fixture
def big_wardrobe(sql: Sql) -> UUID:
    """~5,100 items of one user (13 tagged ``linen``) and ~900 of another; ``ANALYZE``d."""
    mine = sql.execute("INSERT INTO users (email) VALUES ('big@example.com') RETURNING id").fetchone()
    theirs = sql.execute("INSERT INTO users (email) VALUES ('small@example.com') RETURNING id").fetchone()
    assert mine is not None and theirs is not None
    sql.execute(
        "INSERT INTO wardrobe_items (user_id, image_base64, tags, created_at)"
        " SELECT CASE WHEN i %% 7 = 0 THEN %s ELSE %s END, 'data:image/png;base64,AA==',"
        "  CASE WHEN i %% 400 = 0 THEN ARRAY['Linen', 'summer'] ELSE ARRAY['tag' || (i %% 50), 'casual'] END,"
        "  now() - make_interval(secs => i)"
        " FROM generate_series(1, 6000) AS i",
        (theirs["id"], mine["id"]),
    )
    sql.execute("ANALYZE wardrobe_items")
    return UUID(str(mine["id"]))


def test_the_tag_filter_uses_the_gin_index(sql: Sql, big_wardrobe: UUID, monkeypatch: pytest.MonkeyPatch):
    # Given the query the app runs for ?tag=Linen (captured on its way to the database)
    captured: list[tuple[Any, Any]] = []
    real = db.fetch_all

    def spy(query: Any, params: Any = ()) -> Any:
        captured.append((query, params))
        return real(query, params)

    monkeypatch.setattr(db, "fetch_all", spy)
    found, _ = items.page(big_wardrobe, collection_id=None, tag="Linen", limit=20, cursor=None)

    # Then it found the 13 tagged items (of 5,143), and its plan scans the GIN index for the tag
    assert len(found) == 13
    assert all("Linen" in (item.tags or []) for item in found)
    [(query, params)] = captured
    plan = plan_of(sql, query, params)
    assert f"Bitmap Index Scan on {GIN}" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_the_prepared_statement_of_a_warm_connection_still_uses_it(big_wardrobe: UUID):
    # Given a warm connection that ran the tag filter often enough for psycopg to prepare it server-side
    for _ in range(12):
        items.page(big_wardrobe, collection_id=None, tag="linen", limit=20, cursor=None)
    conn = db.connection()
    prepared = conn.execute(
        "SELECT name FROM pg_prepared_statements WHERE statement LIKE %s",
        ("%FROM wardrobe_items%lower_tags(tags) @>%",),
    ).fetchall()
    if not prepared:
        pytest.skip("this libpq does not prepare statements (psycopg's prepare_threshold is off)")

    # When the plan cache plans it (custom or generic plan, as Postgres chooses after many executions)
    [statement] = prepared
    explain = pgsql.SQL("EXPLAIN EXECUTE {}({}, NULL, 'linen', NULL, NULL, 21)").format(
        pgsql.Identifier(statement["name"]), pgsql.Literal(big_wardrobe)
    )
    plan = "\n".join(r["QUERY PLAN"] for r in conn.execute(explain).fetchall())

    # Then the plan still takes the tag from the GIN index (a generic plan of "$3 IS NULL OR ..." could not)
    assert f"Bitmap Index Scan on {GIN}" in plan, plan


def test_a_tag_written_in_capitals_by_another_writer_is_found_in_any_case(sql: Sql):
    # Given an item the frontend tagged "Summer" (it writes the column directly, as typed)
    user = sql.execute("INSERT INTO users (email) VALUES ('tags@example.com') RETURNING id").fetchone()
    assert user is not None
    sql.execute(
        "INSERT INTO wardrobe_items (user_id, image_base64, tags) VALUES (%s, 'data:image/png;base64,AA==', %s)",
        (user["id"], ["Summer", "Linen"]),
    )
    # Then every spelling of the tag finds it, and another tag does not
    for tag in ("summer", "Summer", "SUMMER", " summer "):
        found, _ = items.page(user["id"], collection_id=None, tag=tag, limit=20, cursor=None)
        assert [item.tags for item in found] == [["Summer", "Linen"]], tag
    assert items.page(user["id"], collection_id=None, tag="winter", limit=20, cursor=None)[0] == []
