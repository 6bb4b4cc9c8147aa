"""The Neon connection helper: lazy, reused, reopened after a failure, patient while the server wakes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import closing

import psycopg
import pytest
from psycopg import conninfo

from imagify import clients, db
from tests.support.env import setenv


def _kill(url: str, pid: int) -> None:
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_the_connection_is_opened_lazily_and_reused(database: str):
    # Given a fresh execution environment, nothing is open until first use
    assert db._local.connection is None

    # When two invocations run a query
    first = db.fetch_one("SELECT pg_backend_pid() AS pid")
    second = db.fetch_one("SELECT pg_backend_pid() AS pid")

    # Then they share one server connection
    assert first is not None and second is not None
    assert first["pid"] == second["pid"]


def test_a_read_survives_pg_terminate_backend_between_invocations(database: str):
    # Given a warm connection whose server process is killed between two invocations
    before = db.fetch_one("SELECT pg_backend_pid() AS pid")
    assert before is not None
    _kill(database, before["pid"])

    # When the next invocation reads
    after = db.fetch_one("SELECT pg_backend_pid() AS pid")

    # Then it gets an answer over a new connection
    assert after is not None and after["pid"] != before["pid"]


def test_a_transaction_survives_pg_terminate_backend_between_invocations(database: str):
    # Given a warm connection killed while the environment was frozen
    with db.transaction() as conn:
        row = conn.execute("SELECT pg_backend_pid() AS pid").fetchone()
    assert row is not None
    _kill(database, row["pid"])

    # When the next invocation writes in a transaction
    with db.transaction() as conn:
        conn.execute("INSERT INTO users (email) VALUES ('after-kill@example.com')")
        new_pid = conn.execute("SELECT pg_backend_pid() AS pid").fetchone()

    # Then the write happened exactly once, on a new connection
    assert new_pid is not None and new_pid["pid"] != row["pid"]
    count = db.fetch_one("SELECT count(*) AS n FROM users WHERE email = 'after-kill@example.com'")
    assert count == {"n": 1}


def test_a_failed_transaction_rolls_back_and_the_connection_stays_usable(database: str):
    with pytest.raises(psycopg.errors.UniqueViolation), db.transaction() as conn:
        conn.execute("INSERT INTO users (email) VALUES ('twice@example.com')")
        conn.execute("INSERT INTO users (email) VALUES ('twice@example.com')")
    assert db.fetch_one("SELECT count(*) AS n FROM users WHERE email = 'twice@example.com'") == {"n": 0}


def test_no_session_state_and_bounded_statements(database: str):
    # PgBouncer in transaction mode: limits are SET LOCAL in each transaction, never a session SET
    conn = db.connection()
    assert conn.autocommit is True
    with db.transaction() as tx:
        assert tx.execute("SHOW statement_timeout").fetchone() == {"statement_timeout": "15s"}
        assert tx.execute("SHOW idle_in_transaction_session_timeout").fetchone() == {
            "idle_in_transaction_session_timeout": "1min"
        }
    assert db.fetch_one("SHOW timezone") == {"TimeZone": "UTC"}
    # Nothing outlives the transaction on the (pooled) session
    assert db.fetch_one("SHOW statement_timeout") == {"statement_timeout": "0"}


def test_the_backends_limits_do_not_reach_other_clients(database: str):
    # The frontend's connections (and drizzle-kit's DDL) keep the server's defaults
    with psycopg.connect(database) as other:
        assert other.execute("SHOW statement_timeout").fetchone() == ("0",)
        assert other.execute("SHOW idle_in_transaction_session_timeout").fetchone() == ("0",)


def test_a_statement_past_the_backends_limit_is_cancelled(database: str, monkeypatch: pytest.MonkeyPatch):
    setenv(monkeypatch, DB_STATEMENT_TIMEOUT_MS="200")
    with pytest.raises(psycopg.errors.QueryCanceled), db.transaction() as conn:
        conn.execute("SELECT pg_sleep(2)")
    assert db.fetch_one("SELECT 1 AS one") == {"one": 1}


def test_a_savepoint_inside_a_transaction(database: str):
    with db.transaction() as conn:
        conn.execute("INSERT INTO users (email) VALUES ('kept@example.com')")
        with pytest.raises(psycopg.errors.UniqueViolation), conn.transaction():
            conn.execute("INSERT INTO users (email) VALUES ('kept@example.com')")
    assert db.fetch_one("SELECT count(*) AS n FROM users WHERE email = 'kept@example.com'") == {"n": 1}


def test_prepared_statements_only_with_libpq_17_or_newer(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(psycopg.pq, "version", lambda: 160004)
    assert db._prepare_threshold() is None
    monkeypatch.setattr(psycopg.pq, "version", lambda: 170002)
    assert db._prepare_threshold() == 5


class WakingProxy:
    """A TCP front for Postgres that drops the first connections, as a compute waking from zero does."""

    def __init__(self, target: str, refuse_first: int) -> None:
        self.target = conninfo.conninfo_to_dict(target)
        self.refusals_left = refuse_first
        self.accepted = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _upstream(self) -> socket.socket:
        host = str(self.target.get("host") or "/tmp")
        port = int(self.target.get("port") or 5432)
        if host.startswith("/"):
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(f"{host}/.s.PGSQL.{port}")
            return upstream
        return socket.create_connection((host, port))

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            if self.refusals_left > 0:
                self.refusals_left -= 1
                client.close()
                continue
            upstream = self._upstream()
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with closing(source), closing(sink):
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass

    def url(self, database_url: str) -> str:
        return conninfo.make_conninfo(database_url, host="127.0.0.1", port=str(self.port), sslmode="disable")

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def waking_proxy(database: str) -> Iterator[WakingProxy]:
    proxy = WakingProxy(database, refuse_first=2)
    yield proxy
    proxy.close()


def test_connect_retries_while_the_compute_wakes(
    database: str, waking_proxy: WakingProxy, monkeypatch: pytest.MonkeyPatch
):
    # Given a server that drops the first two connection attempts
    setenv(monkeypatch, DATABASE_URL=waking_proxy.url(database), DB_CONNECT_BACKOFF_S="0.01")

    # When the function first needs the database
    row = db.fetch_one("SELECT 1 AS one")

    # Then it connected on the third attempt
    assert row == {"one": 1}
    assert waking_proxy.accepted == 3


def test_connect_gives_up_after_its_attempts(monkeypatch: pytest.MonkeyPatch):
    # Given nothing listening where the database should be
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    setenv(
        monkeypatch,
        DATABASE_URL=f"postgresql://nobody@127.0.0.1:{port}/nothing",
        DB_CONNECT_ATTEMPTS="3",
        DB_CONNECT_BACKOFF_S="0",
    )

    # When a query needs it, Then a clear error says so after the bounded attempts
    with pytest.raises(db.DatabaseUnavailable, match="after 3 attempts"):
        db.fetch_one("SELECT 1")
    clients.reset()


def test_after_a_snapstart_restore_a_function_that_uses_the_database_reconnects_before_its_first_request(
    database: str, monkeypatch: pytest.MonkeyPatch
):
    from imagify import lifecycle, settings

    # Given a function that requires the database, whose snapshot held a connection
    monkeypatch.setattr(settings, "_required", {settings.DatabaseSettings})
    before = db.fetch_one("SELECT pg_backend_pid() AS pid")

    # When the environment is restored
    lifecycle.refresh()

    # Then the snapshot's connection is gone and a new one is already open, before any request
    assert db._local.connection is not None and not db._local.connection.closed
    after = db.fetch_one("SELECT pg_backend_pid() AS pid")
    assert before is not None and after is not None and after["pid"] != before["pid"]


def test_the_restore_warm_up_plans_a_query_on_every_table_of_the_schema(database: str):
    """What ``_reconnect`` runs after a restore: valid on the migrated schema, and it reads no row (every table
    is planned with a false condition)."""
    planned = db.fetch_all(
        "SELECT count(*) AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')"
    )

    db.connection().execute(db.WARM_UP)

    assert planned[0]["n"] > 10


def test_after_a_restore_a_function_without_the_database_opens_no_connection(
    database: str, monkeypatch: pytest.MonkeyPatch
):
    from imagify import lifecycle, settings

    monkeypatch.setattr(settings, "_required", {settings.CorsSettings})

    lifecycle.refresh()

    assert db._local.connection is None
