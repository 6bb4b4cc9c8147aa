"""The local stack's AWS Parameters and Secrets Lambda Extension: the same HTTP interface on localhost,
answered from moto's SSM and Secrets Manager, so the functions read their secrets locally as in AWS.

As the real extension does, a request must carry the session token the function was given
(``X-Aws-Parameters-Secrets-Token``); ``GET /systemsmanager/parameters/get?name=...&withDecryption=true``
answers SSM's GetParameter document and ``GET /secretsmanager/get?secretId=...`` Secrets Manager's
GetSecretValue document; an AWS error is answered with its status and message.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botocore.exceptions import ClientError

TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token"  # noqa: S105 (a header name)


def _handler(client: Callable[[str], Any], token: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get(TOKEN_HEADER) != token:
                self._answer(401, {"message": "missing or wrong X-Aws-Parameters-Secrets-Token"})
                return
            url = urlsplit(self.path)
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            try:
                if url.path == "/systemsmanager/parameters/get":
                    decrypt = query.get("withDecryption", "false").lower() == "true"
                    found = client("ssm").get_parameter(Name=query.get("name", ""), WithDecryption=decrypt)
                elif url.path == "/secretsmanager/get":
                    found = client("secretsmanager").get_secret_value(SecretId=query.get("secretId", ""))
                else:
                    self._answer(404, {"message": f"no such path {url.path}"})
                    return
            except ClientError as error:
                status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400))
                self._answer(status, {"message": str(error)})
                return
            found.pop("ResponseMetadata", None)
            self._answer(200, found)

        def _answer(self, status: int, document: dict[str, Any]) -> None:
            body = json.dumps(document, default=str).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # In AWS each execution environment has an extension of its own; here one serves every function of the stack,
    # so a burst of restored environments connects at once: a listen backlog of socketserver's 5 dropped their
    # handshakes, which the client retries only after a second (a 503 for a 50-request burst under load).
    request_queue_size = socket.SOMAXCONN


class Extension:
    """The server, on a free port of 127.0.0.1 (``port``), until ``stop``."""

    def __init__(self, client: Callable[[str], Any], token: str) -> None:
        self._server = _Server(("127.0.0.1", 0), _handler(client, token))
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, name="devstack-extension", daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
