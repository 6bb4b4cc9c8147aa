"""The API's documentation, served by the local stack: ``/openapi.json`` and a Swagger UI at ``/docs``.

Swagger UI's files come from the swagger-ui-bundle wheel, so the page works with no internet.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from pathlib import Path

from devstack.gateway_responses import HttpResponse
from devstack.template import Template
from tools import openapi

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Imagify API (local)</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", persistAuthorization: true});
  </script>
</body>
</html>
"""


class Docs:
    def __init__(self, template: Template, base_url: str) -> None:
        self.template = template
        self.base_url = base_url
        self._document: bytes | None = None
        self._lock = threading.Lock()

    def document(self) -> bytes:
        """Built from the code on first use (it imports every function), then kept."""
        with self._lock:
            if self._document is None:
                built = openapi.build(self.template)
                built["servers"] = [{"url": self.base_url, "description": "the local stack"}]
                self._document = json.dumps(built).encode()
            return self._document

    def answer(self, method: str, path: str) -> HttpResponse | None:
        """The documentation's answer to a request, or None when the request is the API's."""
        if method not in ("GET", "HEAD"):
            return None
        if path == "/openapi.json":
            return HttpResponse(200, [("Content-Type", "application/json")], self.document())
        if path in ("/docs", "/docs/"):
            return HttpResponse(200, [("Content-Type", "text/html; charset=utf-8")], _PAGE.encode())
        if path.startswith("/docs/"):
            return _asset(path.removeprefix("/docs/"))
        return None


def _asset(name: str) -> HttpResponse | None:
    from swagger_ui_bundle import swagger_ui_path

    root = Path(swagger_ui_path).resolve()
    file = (root / name).resolve()
    if root not in file.parents or not file.is_file():
        return None
    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return HttpResponse(200, [("Content-Type", kind), ("Cache-Control", "max-age=3600")], file.read_bytes())
