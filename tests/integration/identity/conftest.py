"""Fixtures for the identity suite: the app's environment, a client that calls the real handlers, and users.

Requests go through the template's routes to the functions' real handlers, in this process. A route that
is not ``Authorizer: NONE`` first runs the real authorizer handler on the bearer token, as API Gateway
would, and the handler gets the authorizer's context; a refused token is answered with the template's 401.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import DictRow, dict_row

from devstack import events
from devstack.context import LambdaContext
from devstack.routes import match_resource
from devstack.runtime import Handler, load_handler
from devstack.template import Function, Template, load
from imagify import db, settings, storage
from imagify.identity import auth, keys, oidc, passwords, users
from imagify.models.rows import UserRow
from tests.support.aws import own_moto_account as moto_account

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse battery staple"
SIGNING_SECRET = "k1-secret-for-tests-" + "0123456789abcdef" * 3  # 68 bytes: long enough for any HS*
JWT_KEYS = json.dumps({"signingKid": "k1", "k1": SIGNING_SECRET})
ADMIN_EMAIL = "boss@example.com"
UPLOADS_BUCKET = "imagify-test-uploads"


def clear_app_caches() -> None:
    """Forget every cached setting, key ring, provider list, client and connection of the app."""
    getters = [value for value in vars(settings).values() if callable(getattr(value, "cache_clear", None))]
    for getter in (*getters, keys.key_ring, oidc.providers, oidc._jwks_client):
        getter.cache_clear()
    storage._s3 = None
    db.reset()


@pytest.fixture
def app_env(database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The environment every function gets in AWS, pointed at the test database; emptied after the test."""
    for name, value in {
        "JWT_KEYS": JWT_KEYS,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "EMAIL_DELIVERY": "log",
        "UPLOADS_BUCKET": UPLOADS_BUCKET,
        "ADMIN_EMAILS": f" {ADMIN_EMAIL.upper()} ,other-admin@example.com",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("JWT_KEYS_SECRET_ID", "GOOGLE_CLIENT_ID", "OIDC_PROVIDERS", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    clear_app_caches()
    try:
        yield database
    finally:
        clear_app_caches()
        # login_failures has no foreign key to users, so the shared TRUNCATE ... CASCADE misses it.
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute("TRUNCATE login_failures")


@contextmanager
def own_moto_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto in an account of its own (tests/support/aws.py), with the app's cached clients made again in it."""
    with moto_account(monkeypatch) as account:
        clear_app_caches()
        try:
            yield account
        finally:
            clear_app_caches()


def reload_settings(monkeypatch: pytest.MonkeyPatch, **variables: str | None) -> None:
    """Change environment variables the way a new deployment would, and make the app read them again."""
    for name, value in variables.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    clear_app_caches()


# -- database ------------------------------------------------------------------------------------------


Sql = psycopg.Connection[DictRow]


@pytest.fixture
def sql(app_env: str) -> Iterator[Sql]:
    """A connection of the test's own (autocommit), to look at rows and set them up."""
    with psycopg.connect(app_env, autocommit=True, row_factory=dict_row) as conn:
        yield conn


def scalar(sql: Sql, query: LiteralString, params: Sequence[Any] = ()) -> Any:
    """The one value of a query's one row."""
    row = sql.execute(query, params).fetchone()
    assert row is not None, query
    return next(iter(row.values()))


def one(sql: Sql, query: LiteralString, params: Sequence[Any] = ()) -> DictRow:
    """A query's row, which must exist."""
    row = sql.execute(query, params).fetchone()
    assert row is not None, query
    return row


# -- calling the API -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    raw: str

    @property
    def body(self) -> Any:
        return json.loads(self.raw) if self.raw else None

    @property
    def error_code(self) -> str:
        return str(self.body["error"]["code"])

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class _Route:
    resource: str
    method: str
    function: Function
    public: bool


# API Gateway's own 401, as template.yaml's UNAUTHORIZED gateway response writes it.
GATEWAY_401 = '{"error":{"code":"unauthorized","message":"a valid token is required","details":[]}}'


class Api:
    """HTTP-shaped calls to the template's functions: the real authorizer, then the real handler."""

    def __init__(self, template: Template, handler: Callable[[Function], Handler]) -> None:
        self.template = template
        self._handler = handler
        self.routes = [
            _Route(event.path, event.method, function, event.authorizer == "NONE")
            for function in template.functions.values()
            for event in function.events
        ]

    def route(self, method: str, path: str) -> _Route:
        for route in self.routes:
            if route.method == method.upper() and match_resource(route.resource, path) is not None:
                return route
        raise AssertionError(f"template.yaml has no route {method} {path}")

    def authorize(self, headers: dict[str, str], method: str, path: str) -> dict[str, Any] | None:
        """The real authorizer's context for the request, or None when it refuses (API Gateway's 401)."""
        function = self.template.function("AuthorizerFunction")
        event = events.request_authorizer_event(
            events.api_event(method, path, headers=headers), events.method_arn(method, path)
        )
        try:
            answer = self._handler(function)(event, LambdaContext(function.name))
        except Exception as error:
            if str(error) != "Unauthorized":
                raise AssertionError(f"the authorizer failed instead of refusing: {error!r}") from error
            return None
        assert answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"
        return {**answer["context"], "principalId": answer["principalId"]}

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: str | None = None,
        token: str | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        route = self.route(method, path.split("?")[0])
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        context = None
        if not route.public:
            context = self.authorize(sent, method, path)
            if context is None:
                return Reply(401, {"Content-Type": "application/json"}, GATEWAY_401)
        event = events.api_event(
            method,
            path,
            resource=route.resource,
            headers=sent,
            query=query,
            body=json_body if json_body is not None else body,
            authorizer=context,
        )
        result = self._handler(route.function)(event, LambdaContext(route.function.name))
        headers_out = {k: str(v) for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers_out[name] = ", ".join(str(v) for v in values)
        return Reply(int(result["statusCode"]), headers_out, result.get("body") or "")

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Reply:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)


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
def api(app_env: str, template: Template, handlers: Callable[[Function], Handler]) -> Api:
    return Api(template, handlers)


@pytest.fixture
def authorizer(app_env: str, template: Template, handlers: Callable[[Function], Handler]) -> Handler:
    """The authorizer function's handler."""
    return handlers(template.function("AuthorizerFunction"))


# -- users ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One Argon2id hash of ``PASSWORD`` for the whole run: users made from it cost no hashing."""
    return passwords.hash_password(PASSWORD)


@dataclass(frozen=True)
class Account:
    user: UserRow
    access_token: str
    session_token: str
    session_id: UUID

    @property
    def id(self) -> UUID:
        return self.user.id


MakeUser = Callable[..., Account]


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
