"""Every operation of docs/openapi.json, sent hostile requests through the local stack's gateway: bodies
nested deep, numbers past any limit, NaN, wrong types, strings of megabytes, NUL and lone surrogates; cursors
it never issued; junk in Authorization, Content-Type and Idempotency-Key; path parameters that are not ids;
and images that are not images (random bytes, SVG with a script, decompression bombs, truncated PNGs, URLs).

Each request starts from a valid one (schemathesis draws it from the document, as the conformance test does)
and is made hostile in one or more places by a seeded ``random.Random``, so a run is repeatable. Path
parameters are often ids of the caller's own resources, so the hostile parts reach the handlers' logic.
Every answer must be one the document lists for the operation (or one API Gateway gives any route), in the
API's error format when it is an error, and never a 5xx.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core import NotSet
from schemathesis.core.result import Ok

from tests.hostile import payloads, reliability
from tests.integration.generations import fixtures, support
from tests.support.api import ApiClient, ApiRequest, ApiResponse, User
from tests.support.openapi import schema
from tests.support.sql import Sql

# Generations made for path parameters run on the offline model; the flow's invariants are checked after
# each operation's run (balances equal ledgers, nothing left in flight, refunds once).
flow_checks = fixtures.flow_checks


def _operations() -> dict[str, Any]:
    found = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document is ours, and checked by the conformance test
        found[result.ok().label] = result.ok()
    return found


OPERATIONS = _operations()
# What API Gateway itself may answer on any route, before or instead of the function: no token or a bad
# one (401), a policy that denies (403), no such route or method (404), a payload past its limit (413), a
# media type it refuses (415), throttling (429). The API's error format, as GatewayResponses sets it.
GATEWAY = {"401", "403", "404", "413", "415", "429"}
EXAMPLES = reliability.scaled(40)
# Valid requests schemathesis draws per operation, that the hostile ones start from.
BASES = 8
SEED = "imagify-hostile-1"


@dataclass
class Caller:
    token: str
    # The caller's own resources, by the name of the path parameter that takes their id.
    owned: dict[str, str] = field(default_factory=dict)
    # Upload references of files that are not the images they say they are.
    uploads: list[str] = field(default_factory=list)


@dataclass
class Request:
    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    hostile: list[str] = field(default_factory=list)

    def describe(self) -> str:
        body = "" if self.body is None else f" body={self.body[:160]!r}{'...' if len(self.body) > 160 else ''}"
        headers = {name: value[:80] for name, value in self.headers.items()}
        return f"{self.method} {self.path[:160]}?{self.query[:160]} [{', '.join(self.hostile)}] {headers}{body}"


def _signed_in(api: ApiClient, sql: Sql, *, admin: bool) -> User:
    user = api.register()
    if not admin:
        return user
    sql.execute("UPDATE users SET role = 'admin' WHERE id = %s", (user.id,))
    signed_in = api.post("/auth/login", {"email": user.email, "password": user.password})
    assert signed_in.status == 200, signed_in.body
    user.access_token = signed_in.json()["accessToken"]
    return user


def _created(answer: ApiResponse) -> str:
    assert answer.status in (201, 202), answer.body
    return str(answer.json()["id"])


@pytest.fixture
def caller(api: ApiClient, sql: Sql, request: pytest.FixtureRequest) -> Caller:
    """A signed-in user (an admin for the admin routes) owning one of each resource the operation's path
    names."""
    operation = OPERATIONS[request.node.callspec.params["label"]]
    names = {parameter.name for parameter in operation.iter_parameters() if parameter.location == "path"}
    user = _signed_in(api, sql, admin=operation.path.startswith("/admin"))
    token = user.access_token
    found = Caller(token)
    if "generation_id" in names:
        body = {"mode": "from_prompt", "prompt": "a green coat"}
        found.owned["generation_id"] = _created(api.post("/generations", body, token=token))
    if "item_id" in names:
        body = {"imageBase64": support.data_uri(support.picture()), "title": "a coat"}
        found.owned["item_id"] = _created(api.post("/wardrobe/items", body, token=token))
    if "collection_id" in names:
        found.owned["collection_id"] = _created(api.post("/wardrobe/collections", {"name": "coats"}, token=token))
    if "session_id" in names:
        found.owned["session_id"] = _created(api.post("/advisor", {"message": "what suits me?"}, token=token))
    if "user_id" in names:
        found.owned["user_id"] = user.id
    if "provider" in names:
        found.owned["provider"] = "google"
    if operation.label in ("POST /generations", "POST /advisor"):
        found.uploads = [
            support.upload(api, user, data, "image/png", "user_photo") for data in payloads.HOSTILE_UPLOADS.values()
        ]
    return found


def _bases(operation: Any) -> list[schemathesis.Case[Any]]:
    """Valid requests of the operation, as schemathesis draws them from the document (repeatably)."""
    drawn: list[schemathesis.Case[Any]] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=BASES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def draw(case: schemathesis.Case[Any]) -> None:
        drawn.append(case)

    draw()
    return drawn


def _properties(operation: Any) -> list[str]:
    content = operation.definition.raw.get("requestBody", {}).get("content", {}).get("application/json", {})
    found = content.get("schema", {})
    if "$ref" in found:
        found = schema.raw_schema["components"]["schemas"][found["$ref"].rsplit("/", 1)[-1]]
    return sorted(found.get("properties", {}))


def _valid(operation: Any, case: schemathesis.Case[Any], caller: Caller, rng: random.Random) -> Request:
    """The case as a valid request of the caller, path parameters often the caller's own ids."""
    path = operation.path
    for name, drawn in (case.path_parameters or {}).items():
        value = caller.owned.get(name, str(drawn)) if rng.random() < 0.8 else str(drawn)
        path = path.replace("{" + name + "}", quote(value, safe=""))
    query = urlencode({name: str(value) for name, value in (case.query or {}).items() if value is not None})
    headers = {"Accept": "*/*"}
    if operation.definition.raw.get("security"):
        headers["Authorization"] = f"Bearer {caller.token}"
    for name, value in (case.headers or {}).items():
        if name.lower() != "authorization" and value is not None:
            headers[name] = str(value)
    body = None
    if "requestBody" in operation.definition.raw:
        body = json.dumps(case.body if not isinstance(case.body, NotSet) else {}).encode()
        headers["Content-Type"] = "application/json"
    return Request(operation.method.upper(), path, query, headers, body)


def _parameters(operation: Any, where: str) -> list[str]:
    return [parameter.name for parameter in operation.iter_parameters() if parameter.location == where]


def _hostile(operation: Any, case: schemathesis.Case[Any], caller: Caller, rng: random.Random) -> Request:
    """A valid request of the operation, made hostile in one to three places."""
    request = _valid(operation, case, caller, rng)
    aspects = ["authorization", "query"]
    if request.body is not None:
        aspects += ["body", "body", "body", "content-type"]
    if _parameters(operation, "path"):
        aspects.append("path")
    if _parameters(operation, "header"):
        aspects += ["idempotency-key", "idempotency-key"]
    if operation.label in payloads.IMAGE_BODIES or operation.label == "POST /uploads":
        aspects += ["image", "image", "image"]
    if rng.random() < 0.05:
        request.hostile.append("none")
        return request
    for aspect in rng.sample(aspects, k=min(len(aspects), rng.choice((1, 1, 2, 3)))):
        request.hostile.append(aspect)
        if aspect == "body":
            original = case.body if not isinstance(case.body, NotSet) else {}
            request.body = payloads.hostile_body(rng, original, _properties(operation))
        elif aspect == "image":
            request.body = json.dumps(_hostile_image_body(operation.label, caller, rng)).encode()
        elif aspect == "content-type":
            request.headers["Content-Type"] = rng.choice(payloads.CONTENT_TYPES)
        elif aspect == "authorization":
            request.headers["Authorization"] = payloads.authorization(rng, caller.token)
        elif aspect == "idempotency-key":
            request.headers["Idempotency-Key"] = payloads.idempotency_key(rng)
        elif aspect == "path":
            path = operation.path
            for name in _parameters(operation, "path"):
                path = path.replace("{" + name + "}", quote(payloads.path_value(rng), safe=""))
            request.path = path
        else:
            names = _parameters(operation, "query") or ["unknown"]
            fields = {name: payloads.query_value(rng) for name in rng.sample(names, k=rng.randint(1, len(names)))}
            if "cursor" in names:
                fields["cursor"] = payloads.cursor(rng)
            request.query = urlencode(fields, quote_via=quote, errors="surrogatepass")
    return request


def _hostile_image_body(label: str, caller: Caller, rng: random.Random) -> Any:
    if label == "POST /uploads":
        return payloads.upload_body(rng)
    if caller.uploads and rng.random() < 0.3:
        image = rng.choice(caller.uploads)
    elif rng.random() < 0.02:
        image = payloads.big_image_uri(rng)
    else:
        image = payloads.hostile_image(rng)
    return payloads.IMAGE_BODIES[label](image)


def _send(api: ApiClient, request: Request) -> ApiResponse:
    return api.send(ApiRequest(request.method, request.path, request.query, request.headers, request.body or b""))


def _judged(operation: Any, answer: ApiResponse) -> str | None:
    """What is wrong with the answer, if anything."""
    documented = set(operation.definition.raw["responses"])
    if answer.status >= 500:
        return "a server error"
    if str(answer.status) not in documented | GATEWAY:
        return f"a status the document does not list (it lists {sorted(documented)})"
    if answer.status >= 400:
        try:
            error = answer.json()["error"]
            assert isinstance(error["code"], str) and isinstance(error["message"], str)
        except (ValueError, KeyError, TypeError, AssertionError):
            return "an error outside the API's error format"
    return None


@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation_answers_hostile_requests_as_documented_and_never_with_a_5xx(
    api: ApiClient, caller: Caller, tally: reliability.Tally, label: str
):
    # Given an operation, valid requests of it, and a caller owning what its path names
    operation = OPERATIONS[label]
    rng = random.Random(f"{SEED}:{label}")
    bases = _bases(operation)
    wrong: list[str] = []

    # When it is sent hostile variants of them
    for _ in range(EXAMPLES):
        request = _hostile(operation, rng.choice(bases), caller, rng)
        answer = _send(api, request)
        tally.answered(answer.status)
        if (problem := _judged(operation, answer)) is not None:
            wrong.append(f"{problem}: {request.describe()} -> {answer.status} {answer.body[:300]!r}")
    tally.operations.add(label)

    # Then every answer is a documented one, and none a 5xx
    assert not wrong, f"{len(wrong)} of {EXAMPLES} answers were wrong:\n" + "\n".join(wrong)


# Found by the soak run (POST /auth/login, then every operation with a body): an empty body labelled
# multipart/form-data reached Powertools' OpenAPI validation, which raised on the missing boundary (a 500).
def test_an_empty_body_sent_as_multipart_without_a_boundary_is_refused_with_a_4xx_on_every_operation(
    api: ApiClient, sql: Sql, tally: reliability.Tally
):
    # Given an admin (so that the admin routes read the body too), and every operation that takes a body
    token = _signed_in(api, sql, admin=True).access_token
    wrong = []
    for label, operation in OPERATIONS.items():
        if "requestBody" not in operation.definition.raw:
            continue
        path = re.sub(r"\{[a-z_]+\}", "00000000-0000-0000-0000-000000000000", operation.path)
        headers = {"Accept": "*/*", "Authorization": f"Bearer {token}", "Content-Type": "multipart/form-data"}

        # When it is sent an empty body labelled multipart/form-data, with no boundary
        answer = _send(api, Request(operation.method.upper(), path, "", headers, b""))
        tally.answered(answer.status)
        if (problem := _judged(operation, answer)) is not None:
            wrong.append(f"{label}: {problem} ({answer.status})")

    # Then each answers a documented 4xx (415, as a body that is not JSON gets), never a 5xx
    assert not wrong, "\n".join(wrong)
