"""docs/openapi.json is the document the code and the template make now: no drift either way."""

from __future__ import annotations

from pathlib import Path

from devstack.template import load
from tools import openapi

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_document_is_what_the_code_makes():
    template = load(ROOT / "template.yaml")
    committed = (ROOT / openapi.DOCUMENT).read_text()
    assert committed == openapi.render(openapi.build(template)), (
        "docs/openapi.json is out of date: run `make openapi` and commit it"
    )


def test_every_template_route_is_documented_and_nothing_else():
    template = load(ROOT / "template.yaml")
    document = openapi.build(template)
    routes = {(e.path, e.method.lower()) for f in template.functions.values() for e in f.events}
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert documented == routes


def test_protected_routes_need_the_bearer_token_and_errors_have_one_shape():
    document = openapi.build(load(ROOT / "template.yaml"))
    me = document["paths"]["/me"]["get"]
    health = document["paths"]["/health"]["get"]
    assert me["security"] == [{"bearer": []}]
    assert health["security"] == []
    assert me["responses"]["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
    assert "HTTPValidationError" not in document["components"]["schemas"]
