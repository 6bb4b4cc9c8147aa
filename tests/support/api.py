"""Calling the API as the frontend does: one client (``ApiClient``), one answer (``ApiResponse``), two ways
to deliver a request (transports), all in-process, so a test can make hundreds of calls (and concurrent ones)
quickly.

- ``GatewayTransport``: through the local stack's API Gateway emulation (the template's routes, the real
  authorizer, the real handlers, the gateway's own answers). The ``api`` fixture of ``tests/conftest.py``.
- ``HandlerTransport``: straight to the template's functions' handlers, in the test's own environment: a route
  that is not ``Authorizer: NONE`` first runs the real authorizer handler on the request, as API Gateway
  would, and the handler gets the authorizer's context; a refused token is answered with the template's 401.
  The identity suite's ``api`` fixture, whose tests set the functions' environment themselves.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from devstack import events
from devstack.apigw import Gateway, HttpRequest
from devstack.context import LambdaContext
from devstack.routes import match_resource
from devstack.runtime import Handler
from devstack.template import Function, Template

__all__ = ["ApiClient", "ApiRequest", "ApiResponse", "GatewayTransport", "HandlerTransport", "User"]


@dataclass(frozen=True)
class ApiRequest:
    """A request as it leaves the client: the query already encoded, the body already bytes."""

    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    """Names in lower case."""
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def error_code(self) -> str | None:
        body = self.json()
        return body.get("error", {}).get("code") if isinstance(body, dict) else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Transport(Protocol):
    def __call__(self, request: ApiRequest) -> ApiResponse: ...


@dataclass
class User:
    id: str
    email: str
    password: str
    access_token: str
    session_token: str


class ApiClient:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def send(self, request: ApiRequest) -> ApiResponse:
        """A request exactly as given: no default headers, no encoding."""
        return self.transport(request)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> ApiResponse:
        sent = {"Accept": "*/*", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        raw = b""
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.send(ApiRequest(method, path, urlencode(query) if query else "", sent, raw))

    def get(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.call("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.call("PATCH", path, body, **kwargs)

    def delete(self, path: str, body: Any = None, **kwargs: Any) -> ApiResponse:
        return self.call("DELETE", path, body, **kwargs)

    def register(self, email: str | None = None, password: str = "correct horse battery") -> User:
        email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
        answer = self.post("/auth/register", {"email": email, "password": password})
        assert answer.status == 201, answer.body
        body = answer.json()
        return User(body["user"]["id"], email, password, body["accessToken"], body["sessionToken"])


class GatewayTransport:
    """Through the local stack's API Gateway emulation."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def __call__(self, request: ApiRequest) -> ApiResponse:
        target = request.path + ("?" + request.query if request.query else "")
        answer = self.gateway.handle(HttpRequest(request.method, target, list(request.headers.items()), request.body))
        return ApiResponse(answer.status, {k.lower(): v for k, v in answer.headers}, answer.body)


@dataclass(frozen=True)
class _Route:
    resource: str
    method: str
    function: Function
    public: bool


# API Gateway's own 401, as template.yaml's UNAUTHORIZED gateway response writes it.
GATEWAY_401 = b'{"error":{"code":"unauthorized","message":"a valid token is required","details":[]}}'


class HandlerTransport:
    """Straight to the template's functions: the real authorizer, then the real handler."""

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

    def __call__(self, request: ApiRequest) -> ApiResponse:
        path, _, inline = request.path.partition("?")
        query = "&".join(part for part in (inline, request.query) if part)
        route = self.route(request.method, path)
        context = None
        if not route.public:
            context = self.authorize(request.headers, request.method, path)
            if context is None:
                return ApiResponse(401, {"content-type": "application/json"}, GATEWAY_401)
        event = events.api_event(
            request.method,
            path,
            resource=route.resource,
            headers=request.headers,
            query=query or None,
            body=request.body.decode() if request.body else None,
            authorizer=context,
        )
        result = self._handler(route.function)(event, LambdaContext(route.function.name))
        headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name.lower()] = ", ".join(str(v) for v in values)
        raw = result.get("body") or ""
        body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
        return ApiResponse(int(result["statusCode"]), headers, body)


# What only the answer to a paid request carries (``POST /advisor``, ``POST /generations``): a later read has none.
PAID = ("tokensCharged", "balanceAfter")


def as_kept(answer: dict[str, Any]) -> dict[str, Any]:
    """The advice a paid answer gave, as a later read shows it: without what it cost."""
    return {key: value for key, value in answer.items() if key not in PAID}
