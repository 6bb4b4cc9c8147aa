"""drizzle-kit, the frontend's schema tool, on the database the backend's migrations/ built.

- drizzle/schema.ts is the seed's schema.ts (same exports, same tables and enums) plus the backend's objects.
- ``drizzle-kit push`` with drizzle/schema.ts proposes nothing (but one known no-op): the file declares every
  table, enum and index the database holds. With the seed's schema.ts it proposes to drop the backend's tables
  and indexes.
- The frontend's migrations: ``drizzle-kit generate`` from drizzle/schema.ts makes a baseline,
  drizzle/adopt.mjs records it as applied without running it, and ``drizzle-kit migrate`` then
  applies only what the frontend generated later.

push is drizzle-kit's CLI, as the frontend runs it, with ``--strict`` and without a terminal: it prints what it
would execute and then fails at its confirmation prompt, so it never changes the database (checked too).
drizzle-kit/api's ``pushSchema`` would be simpler, but 0.31.11 drops its queries' parameters ("there is no
parameter $1" on idempotency_keys' composite primary key).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.sql import SEED_TABLES

from .conftest import FRONTEND, REPO, Node, node_url

pytestmark = pytest.mark.frontend

SCHEMA = REPO / "drizzle" / "schema.ts"
SEED_SCHEMA = FRONTEND / "seed-schema.ts"
CONFIG = str(FRONTEND / "drizzle.config.mjs")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# drizzle-kit 0.31 reads a text[] column's '{}' default back as '{""}', so push offers to set the seed's
# wardrobe_items.tags default again on every run, whatever the schema says (drizzle-team/drizzle-orm#4231).
# Setting a default to the value it has changes nothing; no other statement is allowed.
KNOWN_NO_OPS = ['ALTER TABLE "wardrobe_items" ALTER COLUMN "tags" SET DEFAULT \'{}\';']
# drizzle-kit 0.31 reads a composite primary key's columns without an ORDER BY (information_schema joins), so
# whenever Postgres returns them in another order than the schema declares, push offers to drop the key and
# add it again with the same columns. That pair is recognised below, against the database's own key.
_DROP_KEY = re.compile(r'^ALTER TABLE "(?P<table>\w+)" DROP CONSTRAINT "(?P<name>\w+)";$')
_ADD_KEY = re.compile(
    r'^ALTER TABLE "(?P<table>\w+)" ADD CONSTRAINT "(?P<name>\w+)" PRIMARY KEY\((?P<columns>[^)]*)\);$'
)


def real_changes(statements: list[str], url: str) -> list[str]:
    """What push proposes beyond drizzle-kit's known no-ops: the tags default, and a composite primary key
    dropped and added again with the columns it already has."""
    left = [s for s in statements if s not in KNOWN_NO_OPS and s != "--> statement-breakpoint"]
    for statement in list(left):
        added = _ADD_KEY.match(statement)
        dropped = f'ALTER TABLE "{added["table"]}" DROP CONSTRAINT "{added["name"]}";' if added else None
        if added is None or dropped not in left:
            continue
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT array_agg(a.attname::text) FROM pg_constraint k "
                "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey) "
                "WHERE k.contype = 'p' AND k.conname = %s AND k.conrelid = %s::regclass",
                (added["name"], added["table"]),
            ).fetchone()
        proposed_columns = {column.strip().strip('"') for column in added["columns"].split(",")}
        if row is not None and row[0] is not None and set(row[0]) == proposed_columns:
            left.remove(statement)
            left.remove(dropped)
    return left


BACKEND_TABLES = (
    "token_transactions",
    "login_failures",
    "idempotency_keys",
    "schema_migrations",
    "generation_options",
    "generation_failures",
)


def proposed(output: str) -> list[str]:
    """The statements ``drizzle-kit push --verbose`` printed, one per line, in its order."""
    text = ANSI.sub("", output)
    if "No changes detected" in text:
        return []
    marker = "You are about to execute current statements:"
    if marker not in text:
        pytest.fail(f"drizzle-kit push printed no statements and no 'No changes detected':\n{text}")
    if "Changes applied" in text:
        pytest.fail(f"drizzle-kit push changed the database it should only have inspected:\n{text}")
    statements: list[str] = []
    for line in text.split(marker, 1)[1].splitlines():
        if line.strip():
            statements.append(line.strip())
        elif statements:
            break
    return statements


def push(node: Node, schema: Path, cwd: Path) -> list[str]:
    output = node.drizzle_kit(
        "push", "--config", CONFIG, "--verbose", "--strict", cwd=cwd, env={"DRIZZLE_SCHEMA": str(schema)}
    )
    return proposed(output)


def catalog(url: str) -> dict[str, list[Any]]:
    """Everything in the public schema that a migration could change, drizzle-kit's or the backend's."""
    queries = {
        "columns": "SELECT table_name, column_name, data_type, column_default, is_nullable "
        "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
        "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
        "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
        "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE NOT tgisinternal ORDER BY 1, 2",
        "functions": "SELECT proname, md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1",
        "enums": "SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_type t "
        "JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY 1 ORDER BY 1",
    }
    with psycopg.connect(url) as conn:
        return {name: conn.execute(query).fetchall() for name, query in queries.items()}


@pytest.fixture
def workspace(tmp_path: Path, frontend_packages: Path) -> Path:
    """A frontend checkout in miniature: drizzle/schema.ts, the adopt script, and the pinned node_modules."""
    (tmp_path / "node_modules").symlink_to(frontend_packages, target_is_directory=True)
    shutil.copy(SCHEMA, tmp_path / "schema.ts")
    shutil.copy(REPO / "drizzle" / "adopt.mjs", tmp_path / "adopt.mjs")
    return tmp_path


def test_drizzle_schema_is_the_seed_schema_and_more(workspace: Path):
    # Given the seed's schema.ts and drizzle/schema.ts, When drizzle-kit serialises both
    compared = Node(database_url="").run("compare-schemas.mjs", str(SEED_SCHEMA), str(workspace / "schema.ts"))

    # Then every export of the seed's is there, and its tables and enums are the same, column for column
    assert compared == {"missingExports": [], "differences": []}


def test_push_with_drizzle_schema_proposes_nothing_on_the_migrated_database(
    migrated_url: str, workspace: Path, frontend_packages: Path
):
    # Given the database migrations/ built, When drizzle-kit push compares drizzle/schema.ts with it
    statements = push(Node(node_url(migrated_url)), workspace / "schema.ts", workspace)

    # Then it proposes nothing (but drizzle-kit's known no-ops)
    assert real_changes(statements, migrated_url) == []


def _backend_objects(url: str) -> tuple[set[str], set[str]]:
    """The tables the seed does not have, and the indexes that back no constraint (the seed declares none)."""
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> ALL(%s)", (list(SEED_TABLES),)
        ).fetchall()
        indexes = conn.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE i.relnamespace = 'public'::regnamespace "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) "
            "AND x.indrelid::regclass::text = ANY(%s)",
            (list(SEED_TABLES),),
        ).fetchall()
    return {row[0] for row in tables}, {row[0] for row in indexes}


def test_push_with_the_seed_schema_would_drop_the_backend_tables_and_indexes(
    backend_database: str, frontend_packages: Path
):
    # Given a database migrations/ built, When drizzle-kit push compares the frontend's unchanged schema.ts
    before = catalog(backend_database)
    statements = push(Node(node_url(backend_database)), SEED_SCHEMA, FRONTEND)

    # Then it would drop every backend table, the backend's enum, and every index on the seed's tables (the
    # seed's own five included: its schema.ts does not declare them either)
    tables, indexes = _backend_objects(backend_database)
    assert set(BACKEND_TABLES) <= tables
    dropped_tables = {s.split('"')[1] for s in statements if s.startswith("DROP TABLE")}
    dropped_indexes = {s.split('"')[1] for s in statements if s.startswith("DROP INDEX")}
    assert dropped_tables == tables
    assert indexes <= dropped_indexes
    assert 'DROP TYPE "public"."token_transaction_kind";' in statements
    # And, asked without a terminal, it did none of it
    assert catalog(backend_database) == before


def _migrations_table(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute('SELECT hash, created_at FROM "drizzle"."__drizzle_migrations" ORDER BY id').fetchall()
    return [(row[0], int(row[1])) for row in rows]


def _edit(workspace: Path, *, append: str = "", after: str = "", insert: str = "") -> None:
    """Edit the workspace's schema.ts as a developer would: append declarations, or insert a line after the line
    that contains ``after``."""
    schema = workspace / "schema.ts"
    source = schema.read_text() + append
    if after:
        at = source.index("\n", source.index(after)) + 1
        source = source[:at] + insert + source[at:]
    schema.write_text(source)


def test_the_frontend_adopts_the_backend_database_and_then_migrates_it(backend_database: str, workspace: Path):
    node = Node(node_url(backend_database))
    kit = {"DRIZZLE_SCHEMA": "./schema.ts", "DRIZZLE_OUT": "./drizzle"}
    before = catalog(backend_database)

    def generate(name: str) -> str:
        node.drizzle_kit("generate", "--config", CONFIG, "--name", name, cwd=workspace, env=kit)
        journal = json.loads((workspace / "drizzle" / "meta" / "_journal.json").read_text())
        return str(journal["entries"][-1]["tag"])

    def adopt(*tag: str) -> list[str]:
        adopted: list[str] = node.run(str(workspace / "adopt.mjs"), "./drizzle", *tag, cwd=workspace)["adopted"]
        return adopted

    # Given the frontend's baseline, generated from drizzle/schema.ts
    baseline = generate("baseline")
    baseline_sql = workspace / "drizzle" / f"{baseline}.sql"
    assert 'CREATE TABLE "token_transactions"' in baseline_sql.read_text()

    # When it is adopted on the database the backend built (twice: the second run does nothing)
    assert (adopt(), adopt()) == ([baseline], [])

    # Then drizzle's table records it as drizzle-orm would have: the file's sha256 and the journal's time
    journal = json.loads((workspace / "drizzle" / "meta" / "_journal.json").read_text())
    recorded = (hashlib.sha256(baseline_sql.read_bytes()).hexdigest(), journal["entries"][0]["when"])
    assert _migrations_table(backend_database) == [recorded]

    # When drizzle-kit migrate runs, Then it succeeds and changes nothing: the baseline is not run
    node.drizzle_kit("migrate", "--config", CONFIG, cwd=workspace, env=kit)
    assert catalog(backend_database) == before
    assert _migrations_table(backend_database) == [recorded]

    # Given the frontend's next change (a table of its own, a nullable column on a seed table), generated
    _edit(
        workspace,
        append='\nexport const style_preferences = pgTable("style_preferences", {\n'
        '  userId: uuid("user_id").primaryKey().references(() => users.id, { onDelete: "cascade" }),\n'
        '  palette: text("palette"),\n'
        "});\n",
        after='image: text("image"),',
        insert='    locale: varchar("locale", { length: 10 }),\n',
    )
    change = generate("style_preferences")
    assert "DROP" not in (workspace / "drizzle" / f"{change}.sql").read_text().upper()

    # When drizzle-kit migrate runs, Then only the change is applied, and everything the backend built stays
    node.drizzle_kit("migrate", "--config", CONFIG, cwd=workspace, env=kit)
    after = catalog(backend_database)
    for part, rows in before.items():
        assert set(rows) <= set(after[part]), part
    assert ("style_preferences", "palette", "text", None, "YES") in after["columns"]
    assert ("users", "locale", "character varying", None, "YES") in after["columns"]
    assert len(_migrations_table(backend_database)) == 2

    # Given a later backend migration (an index), which schema.ts then declares too, generated and adopted
    with psycopg.connect(backend_database, autocommit=True) as conn:
        conn.execute("CREATE INDEX idx_users_created_at ON users (created_at)")
    _edit(
        workspace,
        after='uniqueIndex("users_email_lower_key")',
        insert='    index("idx_users_created_at").on(table.createdAt),\n',
    )
    catch_up = generate("backend_users_created_at")
    assert adopt(catch_up) == [catch_up]

    # When drizzle-kit migrate runs, Then it does not try to make the index again, and push proposes nothing
    node.drizzle_kit("migrate", "--config", CONFIG, cwd=workspace, env=kit)
    assert len(_migrations_table(backend_database)) == 3
    assert real_changes(push(node, workspace / "schema.ts", workspace), backend_database) == []


def test_only_a_primary_key_added_back_with_its_own_columns_counts_as_drizzle_kits_no_op(migrated_url: str):
    # What push printed in one CI run, after the frontend's own migration changed the catalog's join order
    reordered = [
        'ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_pkey";',
        "--> statement-breakpoint",
        'ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_pkey" '
        'PRIMARY KEY("key","user_id","operation");',
        KNOWN_NO_OPS[0],
    ]
    assert real_changes(reordered, migrated_url) == []
    # A key that would really change (another set of columns) is a change
    narrowed = [reordered[0], reordered[2].replace('"key",', "")]
    assert real_changes(narrowed, migrated_url) == narrowed
