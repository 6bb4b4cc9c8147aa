"""The Neon connection helper: one psycopg connection per execution environment.

- Opened lazily on first use and reused by every warm invocation of the same environment.
- Checked before use and reopened after a failure: a dead connection (Neon suspended the compute, the
  pooler dropped it, somebody ran ``pg_terminate_backend``) is replaced once, before any work is done, so
  no statement ever runs twice.
- Safe through Neon's pooled endpoint (PgBouncer in transaction mode): autocommit outside explicit
  transactions, no session state (no ``SET``, ``LISTEN`` or temp tables), no startup ``options`` (PgBouncer
  refuses them), and prepared statements only when the client libpq is 17 or newer, the first version
  whose protocol-level statement handling PgBouncer can track.
- The backend's limits are its own: every transaction starts with ``SET LOCAL statement_timeout`` and
  ``idle_in_transaction_session_timeout``, sent with its ``BEGIN`` in one round trip. Nothing is set on the
  database, whose other clients (the frontend, drizzle-kit) keep their own defaults (migrations/0010).
- The connect is bounded by ``connect_timeout`` and retried with backoff while a scaled-to-zero compute
  wakes up, which takes from a few hundred milliseconds to a few seconds.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, LiteralString, ParamSpec, TypeVar

import psycopg
from psycopg import sql
from psycopg.rows import DictRow, dict_row

from imagify import clients, lifecycle, secrets
from imagify.settings import DatabaseSettings, database_settings, required

Connection = psycopg.Connection[DictRow]
P = ParamSpec("P")
T = TypeVar("T")
Query = LiteralString | bytes | sql.SQL | sql.Composed


class _PerThread(threading.local):
    connection: Connection | None = None


# Lambda runs one invocation at a time per environment, on one thread: this is "one connection per
# execution environment". Where several threads share a process (the local stack, concurrency tests), each
# gets its own, as separate execution environments would.
_local = _PerThread()


class DatabaseUnavailable(Exception):
    """The database could not be reached after every connect attempt."""


def _resolve_url(settings: DatabaseSettings) -> str:
    if settings.database_url:
        return settings.database_url
    if settings.database_url_parameter:
        return secrets.parameter(settings.database_url_parameter)
    raise DatabaseUnavailable("neither DATABASE_URL nor DATABASE_URL_PARAMETER is configured")


def _prepare_threshold() -> int | None:
    return 5 if psycopg.pq.version() >= 170000 else None


def connect(settings: DatabaseSettings | None = None) -> Connection:
    """Open a new connection, retrying with exponential backoff while the server wakes up."""
    lifecycle.refuse_offline("database connection")
    settings = settings or database_settings()
    url = _resolve_url(settings)
    delay = settings.db_connect_backoff_s
    for attempt in range(1, settings.db_connect_attempts + 1):
        try:
            return psycopg.connect(
                url,
                autocommit=True,
                row_factory=dict_row,
                connect_timeout=settings.db_connect_timeout_s,
                prepare_threshold=_prepare_threshold(),
            )
        except psycopg.OperationalError as error:
            if attempt == settings.db_connect_attempts:
                raise DatabaseUnavailable(f"could not connect after {attempt} attempts: {error}") from error
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def connection() -> Connection:
    """The execution environment's connection, opened on first use or after it broke."""
    current = _local.connection
    if current is None or current.closed or current.broken:
        current = _local.connection = connect()
    return current


# A new server backend plans its first statement on each table only after loading the table's and its indexes'
# descriptions into its caches (a few ms on the first request after a restore, measured in docs/performance.md).
# Planning one empty query per table of the schema loads them all; it reads no row.
WARM_UP: LiteralString = """
DO $$
DECLARE t regclass;
BEGIN
  FOR t IN SELECT oid::regclass FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')
  LOOP
    EXECUTE format('SELECT 1 FROM %s WHERE false', t);
  END LOOP;
END $$
"""


# psycopg asks of each statement whether it is a ``sql.Composable`` (an ABC; ours are str, or bytes: BEGIN, COMMIT):
# answered before a SnapStart snapshot, the answers are in it rather than in the first request (~0.3 ms each).
lifecycle.prime(lambda: lifecycle.ask_abcs((str, bytes), (sql.Composable,)))


@lifecycle.after_restore
def _reconnect() -> None:
    """After a SnapStart restore, a function that uses the database connects, and warms its new backend's
    caches, before its first request."""
    if required(DatabaseSettings):
        connection().execute(WARM_UP)


@clients.on_reset
def reset() -> None:
    """Close the cached connection (tests, and the local stack when it swaps databases)."""
    if _local.connection is not None:
        _local.connection.close()
    _local.connection = None


def _is_dead(conn: Connection) -> bool:
    return conn.closed or conn.broken


def _begin(settings: DatabaseSettings) -> bytes:
    """BEGIN and the backend's limits as one simple-protocol message: one round trip, as a bare BEGIN."""
    return (
        f"BEGIN; SET LOCAL statement_timeout = {settings.db_statement_timeout_ms}; "
        f"SET LOCAL idle_in_transaction_session_timeout = {settings.db_idle_in_transaction_timeout_ms}"
    ).encode()


@contextmanager
def transaction() -> Iterator[Connection]:
    """A transaction on the shared connection; the BEGIN doubles as the liveness check.

    If BEGIN fails because the connection died while the environment was frozen, nothing has been done
    yet, so the connection is reopened and the transaction started again. A failure after BEGIN is the
    caller's to see: the work may or may not have happened, and only the caller knows if it may be retried.
    Inside, ``conn.transaction()`` makes a savepoint (psycopg sees the transaction already open).
    """
    begin = _begin(database_settings())
    conn = connection()
    try:
        conn.execute(begin, prepare=False)
    except psycopg.OperationalError:
        if not _is_dead(conn):
            raise
        reset()
        conn = connection()
        conn.execute(begin, prepare=False)
    try:
        yield conn
    except BaseException:
        if not _is_dead(conn):
            conn.execute(b"ROLLBACK", prepare=False)
        raise
    conn.execute(b"COMMIT", prepare=False)


def retry_conflicts(work: Callable[P, T], attempts: int = 3) -> Callable[P, T]:
    """Run ``work`` (one transaction, nothing else) again when Postgres chose it as a deadlock's victim or
    refused it as a serialization failure: it was rolled back whole, so running it again is safe. What
    still fails after ``attempts`` reaches the caller (the web layer answers 503 with Retry-After)."""

    @functools.wraps(work)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(1, attempts + 1):
            try:
                return work(*args, **kwargs)
            except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
                if attempt == attempts:
                    raise
                time.sleep(random.uniform(0.005, 0.05) * attempt)  # noqa: S311 (jitter, so the two do not meet again)
        raise AssertionError("unreachable")

    return run


def fetch_all(query: Query, params: Sequence[Any] | dict[str, Any] = ()) -> list[DictRow]:
    """Run a read-only query in autocommit; retried once on a connection that died between invocations."""
    return _read(query, params, all_rows=True)  # type: ignore[return-value]


def fetch_one(query: Query, params: Sequence[Any] | dict[str, Any] = ()) -> DictRow | None:
    """Like :func:`fetch_all` for at most one row."""
    return _read(query, params, all_rows=False)  # type: ignore[return-value]


def _read(query: Query, params: Sequence[Any] | dict[str, Any], *, all_rows: bool) -> object:
    for attempt in (1, 2):
        conn = connection()
        try:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if all_rows else cursor.fetchone()
        except psycopg.OperationalError:
            # A read is safe to repeat; it is repeated only when the connection itself died.
            if attempt == 2 or not _is_dead(conn):
                raise
            reset()
    raise AssertionError("unreachable")


def columns(names: tuple[str, ...], table: str | None = None) -> sql.Composed:
    """An explicit column list for a SELECT or RETURNING (never ``*``), optionally qualified by a table."""
    if table is None:
        return sql.SQL(", ").join(sql.Identifier(name) for name in names)
    return sql.SQL(", ").join(sql.Identifier(table, name) for name in names)


def assignments(changes: dict[str, Any]) -> sql.Composed:
    """``col = %(col)s, ...`` for an UPDATE's SET, from a dict of column names (pass the dict as parameters)."""
    return sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in changes
    )
