"""Calling the API as the frontend does, through the local stack's API Gateway emulation, in-process.

Requests go through the template's routes and the real authorizer to the real handlers; no socket is
opened, so a test can make hundreds of calls (and concurrent ones) quickly.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import psycopg
from psycopg.rows import DictRow

from devstack.apigw import Gateway, HttpRequest

Sql = psycopg.Connection[DictRow]
"""A test's own autocommit connection (the ``sql`` fixture)."""


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def error_code(self) -> str | None:
        body = self.json()
        return body.get("error", {}).get("code") if isinstance(body, dict) else None


@dataclass
class User:
    id: str
    email: str
    password: str
    access_token: str
    session_token: str


class ApiClient:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

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
        target = path + ("?" + urlencode(query) if query else "")
        answer = self.gateway.handle(HttpRequest(method=method, target=target, headers=list(sent.items()), body=raw))
        return ApiResponse(answer.status, {k.lower(): v for k, v in answer.headers}, answer.body)

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
