"""Who may call what, for every route of template.yaml, through the local API Gateway and the real authorizer.

The routes are read from the template (each function's ``Api`` events: Path, Method, Auth), so a route added
later is covered without touching this file:

- a route without ``Auth: {Authorizer: NONE}`` answers 401 without a token and with a garbage one;
- every ``/admin/*`` route answers 403 to a plain user's valid token (and lets an admin's through);
- a public route never answers 401 for lack of a token.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from devstack.apigw import Gateway, HttpRequest, routes
from devstack.gateway_responses import HttpResponse
from devstack.runtime import Runtime
from devstack.template import Template, load
from imagify import db
from imagify.identity import auth, users
from tests.support.api import ApiClient
from tests.support.env import setenv
from tests.support.identity import FUNCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
JWT_KEYS = json.dumps({"signingKid": "k1", "k1": "matrix-signing-key-" + "0123456789abcdef" * 3})
BODY_METHODS = {"POST", "PUT", "PATCH"}


@dataclass(frozen=True)
class Route:
    function: str
    code_dir: str
    method: str
    path: str
    public: bool

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_admin(self) -> bool:
        return self.path == "/admin" or self.path.startswith("/admin/")

    def sample_path(self) -> str:
        """The path with its parameters filled: a provider name where one is asked for, else a random UUID."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.endswith("+"):
                return "some/nested/path"
            return "google" if "provider" in name.lower() else str(uuid.uuid4())

        return re.sub(r"\{([^}]+)\}", fill, self.path)

    def sample_body(self) -> Any:
        """A body the route accepts, from its function's sample events (events/<function>/), else ``{}``."""
        if self.method not in BODY_METHODS and self.method != "DELETE":
            return None
        for path in sorted((ROOT / "events" / self.code_dir).glob("*.json")):
            event = json.loads(path.read_text())
            if event.get("httpMethod") == self.method and event.get("resource") == self.path and event.get("body"):
                return json.loads(event["body"])
        return {} if self.method in BODY_METHODS else None


def template_routes() -> list[Route]:
    """Every Api event of every function in template.yaml (read here, not by the code under test)."""
    document, problems = decode(str(TEMPLATE))
    assert not problems, problems
    found = []
    for logical_id, resource in document["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = resource.get("Properties") or {}
        for event in (properties.get("Events") or {}).values():
            if event.get("Type") != "Api":
                continue
            spec = event["Properties"]
            authorizer = (spec.get("Auth") or {}).get("Authorizer")
            found.append(
                Route(
                    function=logical_id,
                    code_dir=Path(str(properties.get("CodeUri", ""))).name,
                    method=str(spec["Method"]).upper(),
                    path=str(spec["Path"]),
                    public=authorizer == "NONE",
                )
            )
    return sorted(found, key=lambda r: (r.path, r.method))


ROUTES = template_routes()
PROTECTED = [r for r in ROUTES if not r.public]
PUBLIC = [r for r in ROUTES if r.public]
ADMIN = [r for r in PROTECTED if r.is_admin]


def _b64(value: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


# What a stranger might send instead of a token (None: no Authorization header at all).
BAD_CREDENTIALS = {
    "no-header": None,
    "empty-header": "",
    "garbage": "Bearer garbage",
    "jwt-shaped-garbage": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
    "alg-none": "Bearer " + ".".join([_b64({"alg": "none", "kid": "k1"}), _b64({"sub": str(uuid.UUID(int=1))}), ""]),
    "unknown-session": "Bearer ims_" + "A" * 43,
    "unknown-auth-js-session": f"Bearer {uuid.UUID(int=7)}",
    "basic-auth": "Basic YWxpY2U6cGFzc3dvcmQ=",
}


# -- the stack --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> Template:
    return load(TEMPLATE)


@pytest.fixture(scope="module")
def runtime(template: Template) -> Runtime:
    """The functions, each imported once (warm), shared by the module's tests."""
    return Runtime(template)


@pytest.fixture
def gateway(database: str, template: Template, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Gateway:
    """API Gateway with a fresh authorizer cache, the functions' environment pointed at the test database."""
    setenv(monkeypatch, **FUNCTION_ENV, ADMIN_EMAILS="", UPLOADS_BUCKET="imagify-matrix-uploads")
    return Gateway(template, runtime)


def _token_of(email: str, role: str) -> str:
    """A valid access token of a new user with ``role`` (no password: no hashing, nothing to guess)."""
    with db.transaction() as conn:
        user = users.insert(conn, email=email, name=None, password_hash=None, role=role, tokens=50)
        return auth.sign_in(conn, user).access.token


def send(gateway: Gateway, route: Route, authorization: str | None, body: Any = None) -> HttpResponse:
    headers = [("Accept", "application/json")]
    if authorization is not None:
        headers.append(("Authorization", authorization))
    raw = b""
    if body is not None:
        headers.append(("Content-Type", "application/json"))
        raw = json.dumps(body).encode()
    return gateway.handle(HttpRequest(route.method, route.sample_path(), headers, raw))


def _code(response: HttpResponse) -> str | None:
    try:
        return str(json.loads(response.body)["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


def _gateway_401_body() -> dict[str, Any]:
    """The body template.yaml's UNAUTHORIZED gateway response gives."""
    document, _ = decode(str(TEMPLATE))
    for resource in document["Resources"].values():
        responses = (resource.get("Properties") or {}).get("GatewayResponses") or {}
        if "UNAUTHORIZED" in responses:
            return dict(json.loads(responses["UNAUTHORIZED"]["ResponseTemplates"]["application/json"]))
    return {"error": {"code": "unauthorized", "message": "Unauthorized", "details": []}}


# -- the matrix -----------------------------------------------------------------------------------------


def test_the_template_has_routes_of_every_kind_and_the_gateway_serves_them_all(template: Template):
    assert PUBLIC
    assert PROTECTED
    assert ADMIN
    served = {(method, resource) for resource, methods in routes(template).resources.items() for method in methods}
    assert {(r.method, r.path) for r in ROUTES} == served


@pytest.mark.parametrize("route", PROTECTED, ids=[r.id for r in PROTECTED])
def test_a_protected_route_is_401_without_a_valid_token(gateway: Gateway, route: Route):
    expected = _gateway_401_body()
    for name, authorization in BAD_CREDENTIALS.items():
        response = send(gateway, route, authorization, route.sample_body())

        assert response.status == 401, f"{route.id} with {name}: {response.status} {response.body!r}"
        assert json.loads(response.body) == expected, f"{route.id} with {name}"


@pytest.mark.parametrize("route", ADMIN, ids=[r.id for r in ADMIN])
def test_an_admin_route_is_403_for_a_plain_users_valid_token(gateway: Gateway, route: Route):
    token = _token_of("plain@example.com", "user")

    response = send(gateway, route, f"Bearer {token}", route.sample_body())

    assert response.status == 403, f"{route.id}: {response.status} {response.body!r}"
    assert _code(response) == "forbidden"


@pytest.mark.parametrize("route", ADMIN, ids=[r.id for r in ADMIN])
def test_an_admin_route_lets_an_admins_token_through(gateway: Gateway, route: Route):
    token = _token_of("boss@example.com", "admin")

    response = send(gateway, route, f"Bearer {token}", route.sample_body())

    assert response.status not in (401, 403), f"{route.id}: {response.status} {response.body!r}"
    assert response.status < 500, f"{route.id}: {response.status} {response.body!r}"


@pytest.mark.parametrize("route", PUBLIC, ids=[r.id for r in PUBLIC])
def test_a_public_route_is_never_401_for_lack_of_a_token(gateway: Gateway, route: Route):
    # An empty body: the function itself answers (a 422 at worst), whatever token came or did not.
    body: dict[str, Any] | None = {} if route.method in BODY_METHODS else None
    for name, authorization in BAD_CREDENTIALS.items():
        response = send(gateway, route, authorization, body)

        assert response.status != 401, f"{route.id} with {name}: {response.body!r}"
        assert response.header("x-amzn-ErrorType") is None, f"{route.id} with {name}: API Gateway answered"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/admin/users/11111111-1111-4111-8111-111111111111"),
        ("POST", "/admin/users/11111111-1111-4111-8111-111111111111/tokens"),
        ("GET", "/admin/users"),
    ],
)
def test_a_plain_user_learns_nothing_about_admin_bodies(api: ApiClient, method: str, path: str):
    # Given a plain user and a body no admin route accepts
    user = api.register()

    # When they call an admin route with it, Then it is a 403 before any validation (not a 422 that
    # would describe what the route takes)
    answer = api.call(method, path, {"bogus": True}, token=user.access_token, query={"limit": "nope"})
    assert answer.status == 403
    assert answer.error_code == "forbidden"
