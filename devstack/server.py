"""The HTTP front door: a threading HTTP server handing every request to the gateway, one log line each."""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devstack.apigw import Gateway, HttpRequest
from devstack.docs import Docs
from devstack.output import say


class _Handler(BaseHTTPRequestHandler):
    server: ApiServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        started = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = HttpRequest(
            method=self.command,
            target=self.path,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            port=self.server.server_address[1],
        )
        docs = self.server.docs.answer(self.command, self.path.split("?", 1)[0]) if self.server.docs else None
        response = docs or self.server.gateway.handle(request)
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        elapsed = (time.monotonic() - started) * 1000
        say(f"{self.command} {self.path} {response.status} {elapsed:.0f}ms")

    def __getattr__(self, name: str) -> Any:
        # Every method (do_GET, do_TRACE, do_QUERY...) goes to the gateway, which answers one the API does
        # not declare as API Gateway does, instead of http.server's 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # _serve writes one line per request, with its duration

    def log_message(self, format: str, *args: Any) -> None:
        say(format % args)


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, gateway: Gateway, port: int, host: str = "127.0.0.1") -> None:
        self.gateway = gateway
        super().__init__((host, port), _Handler)
        # /openapi.json and /docs (Swagger UI), beside the API's own routes.
        self.docs: Docs | None = Docs(gateway.template, self.url)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"
