"""One OpenAPI document for the whole API, merged from every function's resolver (Powertools
``OpenAPIMerge``) and completed from ``template.yaml``: which routes need a token, and the error body that
every 4xx/5xx answer carries. ``docs/openapi.json`` is this document, committed; a test fails on drift.
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
            responses["422"] = _error("the request is not valid")
            responses.setdefault("404", _error("not found (another user's resource is not found either)"))
            responses["500"] = _error("an unexpected error (no details are given)")
            if (path, method) in public:
                operation["security"] = []
                if path.startswith("/auth/"):
                    responses["401"] = _error("the credentials or the token in the body are not valid")
            else:
                operation["security"] = [{"bearer": []}]
                responses["401"] = _error("no valid token")
                responses["403"] = _error("not allowed (admin routes)")
            if method != "get":
                # What a write may meet: no tokens, a conflict, a body too big or of the wrong type, a
                # limit, a model that is unavailable. The error code says which.
                for status in ("402", "409", "413", "415", "429", "503"):
                    responses.setdefault(status, _error("see the error code"))
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def write(template: Template) -> Path:
    target = template.root / DOCUMENT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(build(template)))
    return target
