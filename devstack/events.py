"""API Gateway REST (v1) events, built the way API Gateway builds them.

The local gateway uses these for every request, and tests use them to call handlers directly::

    from devstack.events import api_event
    event = api_event("GET", "/generations/42", resource="/generations/{id}", query={"page": "2"},
                      authorizer={"userId": "u-1", "role": "user"})
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from devstack.cfn import ACCOUNT_ID, REGION
from devstack.routes import match_resource

DEFAULT_API_ID = "devstack01"
DEFAULT_STAGE = "dev"

Pairs = Sequence[tuple[str, str]]
MultiMapping = Mapping[str, str | Sequence[str]]


def _pairs(value: MultiMapping | Pairs | None) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        pairs: list[tuple[str, str]] = []
        for key, item in value.items():
            if isinstance(item, str):
                pairs.append((key, item))
            else:
                pairs.extend((key, str(v)) for v in item)
        return pairs
    return [(str(k), str(v)) for k, v in value]


def _single_and_multi(pairs: Pairs) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """API Gateway's two views: the last value of each name, and every value in order."""
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value
        multi.setdefault(key, []).append(value)
    return single, multi


def parse_query(query: str) -> list[tuple[str, str]]:
    """Like API Gateway: percent-decoded, ``+`` kept as is, a name without ``=`` has the value ``""``."""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


def stringify_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """A REST API hands an authorizer's context values to the integration as strings."""
    out: dict[str, Any] = {}
    for key, value in context.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, int | float):
            out[key] = str(value)
        else:
            out[key] = value
    return out


def _short_id(text: str, length: int = 6) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def method_arn(method: str, path: str, *, api_id: str = DEFAULT_API_ID, stage: str = DEFAULT_STAGE) -> str:
    """The ARN an authorizer's policy is checked against: the request's own path, not the template."""
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api_id}/{stage}/{method.upper()}/{path.lstrip('/')}"


def api_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    headers: MultiMapping | Pairs | None = None,
    query: MultiMapping | Pairs | str | None = None,
    body: str | bytes | Mapping[str, Any] | list[Any] | None = None,
    is_base64_encoded: bool = False,
    authorizer: Mapping[str, Any] | None = None,
    stage: str = DEFAULT_STAGE,
    api_id: str = DEFAULT_API_ID,
    stage_variables: Mapping[str, str] | None = None,
    source_ip: str = "127.0.0.1",
    request_id: str | None = None,
) -> dict[str, Any]:
    """A Lambda proxy event for ``method path`` as a REST API sends it.

    - ``path`` is the request path as sent (percent-encoding allowed); ``resource`` the template path it
      matched (defaults to ``path``), from which ``pathParameters`` are derived unless given.
    - ``headers`` / ``query`` take a mapping (a list value repeats the name) or ordered pairs; a query may
      also be a raw query string.
    - ``body``: ``bytes`` are base64-encoded with ``isBase64Encoded``; a dict or list is sent as JSON (and
      sets ``Content-Type: application/json`` unless a content type is given); a ``str`` is sent as is.
    - ``authorizer``: the authorizer's context (and ``principalId``), stringified as API Gateway does.
    """
    method = method.upper()
    resource = resource or "/" + "/".join(p for p in path.split("?")[0].split("/") if p)
    if path_parameters is None:
        matched = match_resource(resource, path)
        path_parameters = matched[1] if matched else {}
    header_pairs = _pairs(headers)
    if isinstance(body, Mapping | list):
        body = json.dumps(body)
        if not any(k.lower() == "content-type" for k, _ in header_pairs):
            header_pairs.append(("Content-Type", "application/json"))
    if isinstance(body, bytes):
        body, is_base64_encoded = base64.b64encode(body).decode("ascii"), True
    query_pairs = parse_query(query) if isinstance(query, str) else _pairs(query)
    single_headers, multi_headers = _single_and_multi(header_pairs)
    single_query, multi_query = _single_and_multi(query_pairs)
    now = datetime.now(UTC)
    request_id = request_id or str(uuid.uuid4())
    user_agent = (single_headers or {}).get("User-Agent") or (single_headers or {}).get("user-agent")
    request_context: dict[str, Any] = {
        "resourceId": _short_id(resource),
        "resourcePath": resource,
        "httpMethod": method,
        "extendedRequestId": _short_id(request_id, 16),
        "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "path": f"/{stage}{unquote(path)}",
        "accountId": ACCOUNT_ID,
        "protocol": "HTTP/1.1",
        "stage": stage,
        "domainPrefix": api_id,
        "requestTimeEpoch": int(time.time() * 1000),
        "requestId": request_id,
        "identity": {
            "cognitoIdentityPoolId": None,
            "accountId": None,
            "cognitoIdentityId": None,
            "caller": None,
            "sourceIp": source_ip,
            "principalOrgId": None,
            "accessKey": None,
            "cognitoAuthenticationType": None,
            "cognitoAuthenticationProvider": None,
            "userArn": None,
            "userAgent": user_agent,
            "user": None,
        },
        "domainName": f"{api_id}.execute-api.{REGION}.amazonaws.com",
        "apiId": api_id,
    }
    if authorizer is not None:
        request_context["authorizer"] = stringify_context(authorizer)
    return {
        "resource": resource,
        "path": unquote(path),
        "httpMethod": method,
        "headers": single_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": single_query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": dict(stage_variables) if stage_variables else None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": is_base64_encoded,
    }


def request_authorizer_event(proxy_event: Mapping[str, Any], arn: str) -> dict[str, Any]:
    """The event a REQUEST Lambda authorizer gets for a request (the proxy event, minus body)."""
    context = {k: v for k, v in proxy_event["requestContext"].items() if k != "authorizer"}
    return {
        "type": "REQUEST",
        "methodArn": arn,
        "resource": proxy_event["resource"],
        "path": proxy_event["path"],
        "httpMethod": proxy_event["httpMethod"],
        "headers": proxy_event["headers"],
        "multiValueHeaders": proxy_event["multiValueHeaders"],
        "queryStringParameters": proxy_event["queryStringParameters"],
        "multiValueQueryStringParameters": proxy_event["multiValueQueryStringParameters"],
        "pathParameters": proxy_event["pathParameters"],
        "stageVariables": proxy_event["stageVariables"],
        "requestContext": context,
    }


def token_authorizer_event(token: str, arn: str) -> dict[str, Any]:
    """The event a TOKEN Lambda authorizer gets."""
    return {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}
