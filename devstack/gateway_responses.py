"""What API Gateway answers by itself (no route, 401, 403, a failed integration): its "gateway responses".

By default the local stack answers in the API's error format (``{"error": {"code", "message", "details"}}``)
rather than API Gateway's ``{"message": ...}``; a ``GatewayResponses`` entry in the template replaces that,
as it would in AWS (status, headers, and the ``application/json`` template).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from devstack.template import Api


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


# type: (status, API error code, default message)
DEFAULTS: dict[str, tuple[int, str, str]] = {
    "UNAUTHORIZED": (401, "unauthorized", "Unauthorized"),
    "ACCESS_DENIED": (403, "forbidden", "User is not authorized to access this resource"),
    # API Gateway answers 403 "Missing Authentication Token" for an unknown route; a 404 is more useful.
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found", "no such route"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "internal_error", "authorizer configuration error"),
    "INTEGRATION_FAILURE": (502, "internal_error", "Internal server error"),
}


class GatewayError(Exception):
    def __init__(self, kind: str, message: str | None = None) -> None:
        self.kind = kind
        self.message = message or DEFAULTS[kind][2]
        super().__init__(f"{kind}: {self.message}")


def render(
    api: Api | None, error: GatewayError, *, request_id: str, request_headers: Mapping[str, str]
) -> HttpResponse:
    status, code, _ = DEFAULTS[error.kind]
    responses = api.gateway_responses if api else {}
    spec = responses.get(error.kind) or responses.get("DEFAULT_4XX" if status < 500 else "DEFAULT_5XX")
    body = json.dumps({"error": {"code": code, "message": error.message, "details": []}})
    headers: list[tuple[str, str]] = []
    if spec is not None:
        status = spec.status or status
        template = spec.templates.get("application/json")
        if template is not None:
            body = (
                template.replace("$context.error.messageString", json.dumps(error.message))
                .replace("$context.error.message", error.message)
                .replace("$context.error.responseType", error.kind)
                .replace("$context.requestId", request_id)
            )
        for name, value in spec.headers.items():
            if value.startswith("method.request.header."):
                sent = request_headers.get(value.removeprefix("method.request.header.").lower())
                if sent is not None:
                    headers.append((name, sent))
            else:
                headers.append((name, value.strip("'")))
    headers.append(("Content-Type", "application/json"))
    headers.append(("x-amzn-ErrorType", error.kind))
    return HttpResponse(status, headers, body.encode())
