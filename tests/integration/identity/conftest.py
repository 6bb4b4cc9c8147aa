"""Fixtures for the identity suite: the app's environment, the API client straight to the real handlers
(``tests/support/api.py``'s ``HandlerTransport``), and users."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import dict_row

from devstack.runtime import Handler, load_handler
from devstack.template import Function, Template, load
from imagify import clients, db
from imagify.identity import auth, passwords, users
from tests.support.api import ApiClient, HandlerTransport
from tests.support.aws import own_moto_account as moto_account
from tests.support.env import setenv
from tests.support.identity import ADMIN_EMAIL, FUNCTION_ENV, PASSWORD, UPLOADS_BUCKET, Account, MakeUser
from tests.support.sql import Sql

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def app_env(database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The environment every function gets in AWS, pointed at the test database; emptied after the test."""
    setenv(
        monkeypatch,
        **FUNCTION_ENV,
        UPLOADS_BUCKET=UPLOADS_BUCKET,
        ADMIN_EMAILS=f" {ADMIN_EMAIL.upper()} ,other-admin@example.com",
        AWS_ENDPOINT_URL=None,
        AWS_SESSION_TOKEN=None,
    )
    yield database
    # login_failures has no foreign key to users, so the shared TRUNCATE ... CASCADE misses it.
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("TRUNCATE login_failures")


@contextmanager
def own_moto_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto in an account of its own (tests/support/aws.py), with the app's cached clients made again in it."""
    with moto_account(monkeypatch) as account:
        clients.reset()
        try:
            yield account
        finally:
            clients.reset()


# -- database ------------------------------------------------------------------------------------------


@pytest.fixture
def sql(app_env: str) -> Iterator[Sql]:
    """A connection of the test's own (autocommit), to look at rows and set them up."""
    with psycopg.connect(app_env, autocommit=True, row_factory=dict_row) as conn:
        yield conn


# -- calling the API -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def template() -> Template:
    return load(ROOT / "template.yaml")


@pytest.fixture(scope="session")
def handlers() -> Callable[[Function], Handler]:
    """Each function's module imported once for the session, like a warm Lambda container."""
    loaded: dict[str, Handler] = {}

    def handler(function: Function) -> Handler:
        if function.logical_id not in loaded:
            loaded[function.logical_id] = load_handler(function)
        return loaded[function.logical_id]

    return handler


@pytest.fixture
def api(app_env: str, template: Template, handlers: Callable[[Function], Handler]) -> ApiClient:
    """The API straight to the template's functions (the real authorizer first), in the suite's environment."""
    return ApiClient(HandlerTransport(template, handlers))


@pytest.fixture
def authorizer(app_env: str, template: Template, handlers: Callable[[Function], Handler]) -> Handler:
    """The authorizer function's handler."""
    return handlers(template.function("AuthorizerFunction"))


# -- users ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One Argon2id hash of ``PASSWORD`` for the whole run: users made from it cost no hashing."""
    return passwords.hash_password(PASSWORD)


@pytest.fixture
def make_user(app_env: str, password_hash: str) -> MakeUser:
    """A signed-in user, inserted directly (with the shared password hash) and given a session."""

    def make(
        email: str | None = None,
        *,
        role: str = "user",
        tokens: int = 50,
        with_password: bool = True,
    ) -> Account:
        with db.transaction() as conn:
            count = conn.execute("SELECT count(*) AS n FROM users").fetchone()
            assert count is not None
            user = users.insert(
                conn,
                email=email or f"user{count['n']}-{UUID(int=count['n']).hex[-6:]}@example.com",
                name=None,
                password_hash=password_hash if with_password else None,
                role=role,
                tokens=tokens,
            )
            signed = auth.sign_in(conn, user)
        return Account(user, signed.access.token, signed.session.token, signed.session.id)

    return make


@pytest.fixture
def alice(make_user: MakeUser) -> Account:
    return make_user("alice@example.com")


@pytest.fixture
def admin(make_user: MakeUser) -> Account:
    return make_user("root@example.com", role="admin", tokens=1000)
