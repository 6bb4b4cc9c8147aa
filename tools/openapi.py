"""One OpenAPI document for the whole API, merged from every function's resolver (Powertools
``OpenAPIMerge``; each route declares its summary, description, tags and the errors of its own work) and
completed from ``template.yaml`` with what the seam answers on every route of a kind: which routes need a
token, the answers of the gateway and the authorizer, and the error body every 4xx/5xx carries.
``docs/openapi.json`` is this document, committed; a test fails on drift.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

from devstack.template import Template

DOCUMENT = Path("docs") / "openapi.json"
_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
_POWERTOOLS_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
# The groups of routes (each route names its own in ``tags=``), in the order Swagger UI shows them.
TAGS = {
    "auth": "Sign up, sign in (password, Google or another OpenID provider), tokens, email and password links",
    "me": "The caller's own account: profile, token history, deletion",
    "uploads": "Short-lived uploads of photos, referenced by generations and the advisor",
    "generations": "Try-ons, looks from a prompt and edited photos: start, follow, cancel, keep",
    "wardrobe": "The looks a user keeps: items, their images, collections and tags",
    "advisor": "The AI style advisor and the looks it suggests",
    "webhooks": "Signed webhooks (Standard Webhooks) when generations end: endpoints, secrets, the delivery log",
    "admin": "Users, tokens and figures, for admins",
    "service": "Health and prices",
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}


def _public_routes(template: Template) -> set[tuple[str, str]]:
    return {(e.path, e.method.lower()) for f in template.functions.values() for e in f.events if e.authorizer == "NONE"}


def build(template: Template) -> dict[str, Any]:
    from imagify.models.common import ErrorBody
    from imagify.settings import app_settings

    merge = OpenAPIMerge(
        title="Imagify API",
        version=app_settings().app_version,
        description="The backend of Imagify, an AI fashion studio. Errors are "
        '`{"error": {"code", "message", "details"}}`; lists are `{"items", "nextCursor"}`, newest first.',
    )
    for function in sorted(template.functions.values(), key=lambda f: f.logical_id):
        if function.events:
            merge.add_file(function.code_uri / f"{function.handler.rpartition('.')[0]}.py")
    document: dict[str, Any] = json.loads(merge.get_openapi_json_schema())

    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _POWERTOOLS_ERROR_SCHEMAS:
        schemas.pop(name, None)
    error_schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["ErrorBody"] = error_schema
    document["components"]["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "an access token (JWT) from sign-in or refresh, or a session token",
        }
    }

    public = _public_routes(template)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for answer in responses.values():
                # A route that returns nothing (a 202 or 204) sends no body, so it has no content type.
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("type") == "null":
                    answer.pop("content")
            # What the seam answers on any route of a kind, before or around the route's own work (a route
            # declares the errors of its own work on its decorator: see imagify.web.responses).
            # Any route: its own inputs, and the seam's refusal of a NUL or other control character in any
            # parameter, even one the route does not read.
            responses["422"] = _error(
                "`validation_error` (or `idempotency_key_reused`): the request is not valid; `details` says where"
            )
            responses.setdefault(
                "429",
                _error("`rate_limited`: over the API's rate limit (API Gateway throttling); retry after `Retry-After`"),
            )
            responses["500"] = _error("an unexpected error (no details are given)")
            if method != "get":
                responses.setdefault("413", _error("`payload_too_large`: the body is over API Gateway's 10 MB"))
                responses.setdefault("415", _error("`unsupported_media_type`: the body is not JSON"))
            if (path, method) in public:
                operation["security"] = []
                if path.startswith("/auth/"):
                    responses["401"] = _error("the credentials or the token in the body are not valid")
            else:
                operation["security"] = [{"bearer": []}]
                responses["401"] = _error("no valid token")
                # The authorizer reads sessions from the database too.
                responses.setdefault("503", _error("`service_unavailable`: the authorizer could not check the token"))
    document["tags"] = [{"name": name, "description": about} for name, about in TAGS.items()]
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def write(template: Template) -> Path:
    target = template.root / DOCUMENT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(build(template)))
    return target
