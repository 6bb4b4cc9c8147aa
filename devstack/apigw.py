"""API Gateway (REST, Lambda proxy integration), locally: HTTP request in, handler called, HTTP response out.

Routes come from the functions' ``Api`` events; CORS preflight, authorizers, binary media types and gateway
responses from the API's properties. Nothing here knows any particular route.
"""

from __future__ import annotations

import base64
import json
import os
import time
import traceback
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from devstack.authorizer import Authorizers
from devstack.cfn import TemplateError
from devstack.events import api_event
from devstack.gateway_responses import GatewayError, HttpResponse, render
from devstack.output import say
from devstack.routes import RouteTable
from devstack.runtime import Runtime
from devstack.template import Api, Authorizer, Function, Template

ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


@dataclass
class HttpRequest:
    method: str
    target: str  # path and query, as sent
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    port: int = 3000

    def header(self, name: str) -> str | None:
        return next((v for k, v in reversed(self.headers) if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class Route:
    api: Api
    function: Function
    resource: str
    method: str
    authorizer: Authorizer | None = field(default=None)


def _route_authorizer(api: Api, name: str | None) -> Authorizer | None:
    name = api.default_authorizer if name is None else name
    if name is None or name == "NONE":
        return None
    if name not in api.authorizers:
        raise TemplateError(f"{api.logical_id}: no authorizer named {name}")
    return api.authorizers[name]


def routes(template: Template) -> RouteTable[Route]:
    table: RouteTable[Route] = RouteTable()
    for function in template.functions.values():
        for event in function.events:
            api = template.apis[event.api]
            route = Route(api, function, event.path, event.method, _route_authorizer(api, event.authorizer))
            table.add(event.path, event.method, route)
    return table


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def is_binary(media_type: str, binary_media_types: Sequence[str]) -> bool:
    if not media_type:
        return False
    major = media_type.split("/", 1)[0]
    return any(t.lower() in {"*/*", media_type, f"{major}/*"} for t in binary_media_types)


# Lambda refuses a synchronous response larger than this ("Response payload size exceeded maximum allowed
# payload size (6291556 bytes)"), and API Gateway then answers 502.
LAMBDA_MAX_RESPONSE_BYTES = 6_291_556


def _trace_id() -> str:
    return f"Root=1-{int(time.time()):08x}-{os.urandom(12).hex()}"


class Gateway:
    def __init__(self, template: Template, runtime: Runtime, authorizers: Authorizers | None = None) -> None:
        self.template = template
        self.runtime = runtime
        self.authorizers = authorizers or Authorizers(runtime)
        self.table = routes(template)
        # All APIs share one port locally; a path none of them has gets the first API's gateway responses.
        self.default_api = next(iter(template.apis.values()), None)

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        api = self.default_api
        try:
            path, _, query = request.target.partition("?")
            method = request.method.upper()
            found = self.table.match(path)
            if found is None:
                raise GatewayError("MISSING_AUTHENTICATION_TOKEN", f"no route for {method} {path}")
            resource, parameters, methods = found
            api = next(iter(methods.values())).api
            route = methods.get(method)
            event = self._event(request, api, resource, parameters, path, query, request_id)
            if route is None and method == "OPTIONS" and api.cors is not None:
                if api.authorize_cors_preflight:
                    self._authorize(api, _route_authorizer(api, None), event)
                return self._preflight(api, methods, request_id)
            route = route or methods.get("ANY")
            if route is None:
                raise GatewayError("MISSING_AUTHENTICATION_TOKEN", f"no route for {method} {path}")
            self._authorize(api, route.authorizer, event)
            try:
                result = self.runtime.invoke(route.function.logical_id, event)
            except Exception:
                say(f"{route.function.logical_id} raised:\n{traceback.format_exc().rstrip()}")
                raise GatewayError("INTEGRATION_FAILURE") from None
            if len(json.dumps(result).encode()) > LAMBDA_MAX_RESPONSE_BYTES:
                say(f"{route.function.logical_id}'s response is over Lambda's 6 MB (API Gateway answers 502)")
                raise GatewayError("INTEGRATION_FAILURE")
            return self._response(api, result, request, request_id)
        except GatewayError as error:
            headers = {k.lower(): v for k, v in request.headers}
            response = render(api, error, request_id=request_id, request_headers=headers)
            response.headers.append(("x-amzn-RequestId", request_id))
            return response

    def _authorize(self, api: Api, authorizer: Authorizer | None, event: dict[str, Any]) -> None:
        if authorizer is not None:
            event["requestContext"]["authorizer"] = self.authorizers.authorize(api, authorizer, event)

    def _event(
        self,
        request: HttpRequest,
        api: Api,
        resource: str,
        parameters: dict[str, str],
        path: str,
        query: str,
        request_id: str,
    ) -> dict[str, Any]:
        headers = list(request.headers)
        names = {k.lower() for k, _ in headers}
        # What API Gateway adds on its way to the integration.
        added = {
            "X-Forwarded-For": request.source_ip,
            "X-Forwarded-Port": str(request.port),
            "X-Forwarded-Proto": "http",
            "X-Amzn-Trace-Id": _trace_id(),
        }
        headers += [(k, v) for k, v in added.items() if k.lower() not in names]
        body: str | bytes | None = None  # bytes go to the handler base64-encoded, with isBase64Encoded
        if request.body:
            if is_binary(_media_type(request.header("Content-Type")), api.binary_media_types):
                body = request.body
            else:
                try:
                    body = request.body.decode("utf-8")
                except UnicodeDecodeError:
                    say(
                        f"warning: a non-UTF-8 {request.header('Content-Type')} body is passed base64-encoded; "
                        "API Gateway would mangle it unless BinaryMediaTypes lists its type"
                    )
                    body = request.body
        return api_event(
            request.method,
            path,
            resource=resource,
            path_parameters=parameters,
            headers=headers,
            query=query,
            body=body,
            stage=api.stage,
            api_id=api.api_id,
            stage_variables=api.stage_variables,
            source_ip=request.source_ip,
            request_id=request_id,
        )

    def _preflight(self, api: Api, methods: Mapping[str, Route], request_id: str) -> HttpResponse:
        """The mock OPTIONS method SAM adds to every path of an API with ``Cors``."""
        cors = api.cors
        assert cors is not None
        if cors.allow_methods is not None:
            allowed = cors.allow_methods
        elif "ANY" in methods:
            allowed = ",".join(ALL_METHODS)
        else:
            allowed = ",".join(sorted({*methods, "OPTIONS"}))
        headers = [("Access-Control-Allow-Origin", cors.allow_origin), ("Access-Control-Allow-Methods", allowed)]
        if cors.allow_headers is not None:
            headers.append(("Access-Control-Allow-Headers", cors.allow_headers))
        if cors.max_age is not None:
            headers.append(("Access-Control-Max-Age", cors.max_age))
        if cors.allow_credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        headers += [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)]
        return HttpResponse(200, headers, b"")

    def _response(self, api: Api, result: Any, request: HttpRequest, request_id: str) -> HttpResponse:
        status = result.get("statusCode") if isinstance(result, dict) else None
        if not isinstance(status, int) and not (isinstance(status, str) and status.isdigit()):
            say(f"malformed Lambda proxy response (API Gateway answers 502): {str(result)[:200]}")
            raise GatewayError("INTEGRATION_FAILURE")
        assert isinstance(result, dict)
        # multiValueHeaders win over headers for the same name, as in API Gateway.
        multi: dict[str, list[Any]] = dict(result.get("multiValueHeaders") or {})
        for name, value in (result.get("headers") or {}).items():
            multi.setdefault(name, [value])
        headers = [(str(name), str(v)) for name, values in multi.items() for v in values]
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "application/json"))
        headers += [
            ("x-amzn-RequestId", request_id),
            ("x-amz-apigw-id", request_id[:16]),
            ("X-Amzn-Trace-Id", _trace_id()),
        ]
        raw = result.get("body")
        body = b"" if raw is None else str(raw).encode("utf-8")
        if result.get("isBase64Encoded") and raw is not None:
            # Decoded only when the request's Accept (its first type) is a binary media type.
            accept = _media_type((request.header("Accept") or "").split(",", 1)[0])
            if is_binary(accept, api.binary_media_types):
                body = base64.b64decode(raw)
            else:
                say(
                    "warning: isBase64Encoded body sent as base64 text, as API Gateway does when BinaryMediaTypes "
                    f"does not list the request's Accept ({accept or 'none'})"
                )
        return HttpResponse(int(status), headers, body)
