"""The migration runner: forward-only SQL files from ``migrations/``, applied in order.

- Each file runs in its own transaction together with its ``schema_migrations`` record, so a failing file
  leaves nothing half-applied.
- Every transaction first takes a transaction-scoped advisory lock. Two runners started together queue on
  it; the second then sees the first one's records and applies nothing twice. (A session-level lock would
  not survive Neon's transaction-mode pooler, which may hand each transaction a different server.)
- Each record keeps the file's SHA-256. An applied file that was edited since, or a record with no file,
  stops the runner before it changes anything: the database and the code disagree, and a person decides.

``python -m imagify.migrator status|apply`` is the CLI; ``functions/migrate`` is the Lambda.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from imagify import db

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Any constant that no other code uses for an advisory lock: "imagify-m" as a big-endian integer.
_LOCK_KEY = int.from_bytes(b"imagify-m"[:8], "big") >> 1

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    checksum char(64) NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(Exception):
    """The runner refuses to go on; the message says why and what to do."""


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass
class Report:
    applied: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    applied_now: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        return {"applied": self.applied, "pending": self.pending, "appliedNow": self.applied_now}


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    files = sorted(directory.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    versions = [f.stem for f in files]
    numbers = [v.split("_", 1)[0] for v in versions]
    if len(set(numbers)) != len(numbers):
        raise MigrationError(f"two migration files share a number in {directory}: {versions}")
    return [Migration(f.stem, f) for f in files]


def _applied(conn: db.Connection) -> dict[str, str]:
    rows = conn.execute("SELECT version, checksum FROM schema_migrations ORDER BY version").fetchall()
    return {row["version"]: row["checksum"] for row in rows}


def _verify(migrations: list[Migration], applied: dict[str, str]) -> None:
    by_version = {m.version: m for m in migrations}
    for version, checksum in applied.items():
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"migration {version} is recorded as applied but its file is missing; "
                "the database is ahead of this code, so deploy the code that has it"
            )
        if migration.checksum != checksum:
            raise MigrationError(
                f"migration {version} was edited after it was applied (checksum {checksum[:12]}… in the "
                f"database, {migration.checksum[:12]}… on disk); restore the file and put the change in a "
                "new migration"
            )


def _report(migrations: list[Migration], applied: dict[str, str]) -> Report:
    return Report(
        applied=[m.version for m in migrations if m.version in applied],
        pending=[m.version for m in migrations if m.version not in applied],
    )


def status(conn: db.Connection, directory: Path = MIGRATIONS_DIR) -> Report:
    """What is applied and what is pending, without locking or changing anything."""
    migrations = discover(directory)
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL AS present").fetchone()
    applied = _applied(conn) if exists and exists["present"] else {}
    _verify(migrations, applied)
    return _report(migrations, applied)


def apply(conn: db.Connection, directory: Path = MIGRATIONS_DIR) -> Report:
    """Apply every pending migration in order, each in its own locked transaction."""
    migrations = discover(directory)
    applied_now: list[str] = []
    while True:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            # DDL on a big table may take longer than the database's statement timeout for requests.
            conn.execute("SET LOCAL statement_timeout = 0")
            conn.execute(_CREATE_TABLE)
            applied = _applied(conn)
            _verify(migrations, applied)
            pending = [m for m in migrations if m.version not in applied]
            if not pending:
                report = _report(migrations, applied)
                report.applied_now = applied_now
                return report
            migration = pending[0]
            try:
                # No parameters, so psycopg sends the file with the simple query protocol, statements and all.
                conn.execute(migration.sql.encode(), prepare=False)
            except psycopg.Error as error:
                raise MigrationError(f"migration {migration.version} failed and was rolled back: {error}") from error
            conn.execute(
                "INSERT INTO schema_migrations (version, checksum) VALUES (%s, %s)",
                (migration.version, migration.checksum),
            )
            applied_now.append(migration.version)


def run(action: str) -> Report:
    """``apply`` or report the ``status`` on a connection of its own, not the shared one: a long DDL run must
    not leave state on a reused connection."""
    conn = db.connect()
    try:
        return apply(conn) if action == "apply" else status(conn)
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m imagify.migrator", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["status", "apply"], nargs="?", default="status")
    args = parser.parse_args(argv)
    try:
        report = run(args.command)
    except MigrationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for version in report.applied_now:
        print(f"applied  {version}")
    print(f"{len(report.applied)} applied, {len(report.pending)} pending")
    for version in report.pending:
        print(f"pending  {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
