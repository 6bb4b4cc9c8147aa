"""The migration runner: in order, once, atomically, and never over an edited file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from imagify import migrator


def _connect(url: str) -> psycopg.Connection[psycopg.rows.DictRow]:
    return psycopg.connect(url, autocommit=True, row_factory=dict_row)


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    """A copy of the project's migrations that a test may add to or edit."""
    directory = tmp_path / "migrations"
    shutil.copytree(migrator.MIGRATIONS_DIR, directory)
    return directory


def _recorded(url: str) -> list[str]:
    with _connect(url) as conn:
        return [r["version"] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]


def test_a_second_run_applies_nothing(scratch_database: str):
    # Given a database migrated once
    with _connect(scratch_database) as conn:
        first = migrator.apply(conn)

        # When the runner runs again
        second = migrator.apply(conn)

    # Then the first run applied every file, in order, and the second none
    everything = [m.version for m in migrator.discover()]
    assert first.applied_now == everything
    assert second.applied_now == []
    assert second.pending == []
    assert _recorded(scratch_database) == everything


def test_two_runners_at_once_apply_each_file_once(scratch_database: str, migrations_dir: Path):
    # Given a slow migration that would fail if it ran twice
    (migrations_dir / "0900_slow.sql").write_text("SELECT pg_sleep(0.3);\nCREATE TABLE only_once (id int);\n")
    reports: list[migrator.Report] = []
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            with _connect(scratch_database) as conn:
                start.wait()
                reports.append(migrator.apply(conn, migrations_dir))
        except BaseException as error:
            failures.append(error)

    # When two runners start together
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then neither failed, every file was applied by exactly one of them, and each is recorded once
    assert failures == []
    applied_by_each = [set(report.applied_now) for report in reports]
    everything = [m.version for m in migrator.discover(migrations_dir)]
    assert applied_by_each[0] | applied_by_each[1] == set(everything)
    assert applied_by_each[0] & applied_by_each[1] == set()
    assert _recorded(scratch_database) == everything


def test_an_edited_applied_file_is_refused(scratch_database: str, migrations_dir: Path):
    # Given a migrated database, and a later pending migration
    with _connect(scratch_database) as conn:
        migrator.apply(conn, migrations_dir)
    (migrations_dir / "0900_next.sql").write_text("CREATE TABLE next_table (id int);\n")

    # When an applied file is edited
    seed = migrations_dir / "0001_seed_schema.sql"
    seed.write_text(seed.read_text() + "\n-- a harmless-looking edit\n")

    # Then status and apply both refuse, naming the file, and nothing further is applied
    with _connect(scratch_database) as conn:
        with pytest.raises(migrator.MigrationError, match=r"0001_seed_schema was edited after it was applied"):
            migrator.status(conn, migrations_dir)
        with pytest.raises(migrator.MigrationError, match=r"new migration"):
            migrator.apply(conn, migrations_dir)
        assert conn.execute("SELECT to_regclass('next_table') AS t").fetchone() == {"t": None}


def test_a_recorded_migration_without_its_file_is_refused(scratch_database: str, migrations_dir: Path):
    # Given a database migrated by newer code than this
    (migrations_dir / "0900_newer.sql").write_text("SELECT 1;\n")
    with _connect(scratch_database) as conn:
        migrator.apply(conn, migrations_dir)
    (migrations_dir / "0900_newer.sql").unlink()

    # When the older code runs, Then it refuses
    with _connect(scratch_database) as conn, pytest.raises(migrator.MigrationError, match="file is missing"):
        migrator.apply(conn, migrations_dir)


def test_a_failing_migration_leaves_nothing_half_applied(scratch_database: str, migrations_dir: Path):
    # Given a migration whose second statement fails
    (migrations_dir / "0900_broken.sql").write_text(
        "CREATE TABLE half_done (id int);\nINSERT INTO half_done VALUES (1 / 0);\n"
    )

    # When the runner applies it
    with _connect(scratch_database) as conn:
        with pytest.raises(migrator.MigrationError, match="0900_broken failed and was rolled back"):
            migrator.apply(conn, migrations_dir)

        # Then the files before it are applied, and of it there is neither table nor record
        assert conn.execute("SELECT to_regclass('half_done') AS t").fetchone() == {"t": None}
        report = migrator.status(conn, migrations_dir)
    assert report.pending == ["0900_broken"]
    assert "0900_broken" not in _recorded(scratch_database)


def test_the_cli_reports_and_applies(scratch_database: str):
    env = {**os.environ, "DATABASE_URL": scratch_database}
    cli = [sys.executable, "-m", "imagify.migrator"]

    # Given an empty database, When the CLI reports, Then everything is pending
    before = subprocess.run([*cli, "status"], env=env, capture_output=True, text=True, check=True)
    count = len(migrator.discover())
    assert f"0 applied, {count} pending" in before.stdout

    # When it applies, Then each file is listed and nothing is pending
    applied = subprocess.run([*cli, "apply"], env=env, capture_output=True, text=True, check=True)
    assert "applied  0001_seed_schema" in applied.stdout
    assert f"{count} applied, 0 pending" in applied.stdout
