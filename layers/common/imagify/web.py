"""What every HTTP function shares: its resolver, and the one map from domain errors to HTTP answers."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, TypeVar, cast
from uuid import UUID

import psycopg
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFound
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseContentSchema
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from imagify import db, errors, idempotency, lifecycle, media
from imagify.identity.principal import Principal, bearer_token
from imagify.models.common import ErrorBody, ErrorInfo, storable
from imagify.observability import logger
from imagify.settings import app_settings

# The optional ``Idempotency-Key`` header of the POSTs that create something.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description=(
            "retrying with the same key and body within 24 h returns the first answer; nothing twice. While the "
            "first request is still being answered, a retry is a 409 with Retry-After: 1"
        ),
    ),
]

# No request of this API nests deeper than a few levels, nor holds an integer of more than a few digits.
MAX_BODY_DEPTH = 16
MAX_INTEGER_DIGITS = 18
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[\[\]{}]")
# Methods whose body a route may read (DELETE /me takes the password); a GET or HEAD ignores its body.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise errors.InvalidInput(f"a number in the body has more than {MAX_INTEGER_DIGITS} digits")
    return int(digits)


def _no_constant(name: str) -> float:
    raise errors.InvalidInput(f"{name} is not a JSON value")


def parse_body(text: str) -> Any:
    """``json.loads`` for request bodies, bounded before it can exhaust the stack or the CPU.

    Nesting is measured (outside strings) before parsing whenever the body holds enough brackets to be
    deep: Python's parser recurses once a level and fails with RecursionError near 1,000. Integers are
    capped in length (``int()`` of thousands of digits is quadratic and refused past 4,300), and
    ``NaN``/``Infinity`` are not JSON."""
    if text.count("[") + text.count("{") > MAX_BODY_DEPTH:
        depth = 0
        for bracket in _BRACKET.finditer(_JSON_STRING.sub("", text)):
            depth += 1 if bracket.group() in "[{" else -1
            if depth > MAX_BODY_DEPTH:
                raise errors.InvalidInput(f"the body nests deeper than {MAX_BODY_DEPTH} levels")
    return json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)


STATUS_BY_CODE: dict[str, int] = {
    errors.InvalidInput.code: 422,
    errors.Unauthorized.code: 401,
    errors.InvalidCredentials.code: 401,
    errors.Forbidden.code: 403,
    errors.NotFound.code: 404,
    errors.Conflict.code: 409,
    errors.StoredImageUnreadable.code: 409,
    errors.EmailTaken.code: 409,
    errors.InsufficientTokens.code: 402,
    errors.RateLimited.code: 429,
    errors.TooManyInFlight.code: 429,
    errors.PayloadTooLarge.code: 413,
    errors.UnsupportedMediaType.code: 415,
    errors.IdempotencyKeyReused.code: 422,
    errors.ServiceUnavailable.code: 503,
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    body = ErrorBody(error=ErrorInfo(code=code, message=message, details=details or []))
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
        headers=headers,
    )


def domain_error_response(error: errors.DomainError, headers: dict[str, str] | None = None) -> Response[str]:
    """The answer to a domain error: its status from ``STATUS_BY_CODE``, in the API's error format."""
    headers = dict(headers or {})
    if isinstance(error, errors.Throttled | errors.IdempotencyKeyInFlight):
        headers["Retry-After"] = str(error.retry_after_s)
    return error_response(
        STATUS_BY_CODE.get(error.code, 400), error.code, error.message, error.details, headers or None
    )


def _validation_details(error: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for item in error.errors():
        # Keep what helps the caller fix the request; never echo the input back (it may be a password).
        details.append({"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type")})
    return json.loads(json.dumps(details, default=str))  # type: ignore[no-any-return]


class _Resolving(threading.local):
    event: BaseProxyEvent
    context: LambdaContext


class Resolver(APIGatewayRestResolver):
    """Powertools' REST resolver, with the request being resolved kept per thread.

    Powertools stores it on ``BaseRouter``, a class every resolver of the process shares. Lambda runs one
    request per environment, so that is safe there; the local stack runs functions side by side in one
    process, where one request's route read another's event (another user's identity). Here each thread
    sees its own, whatever Powertools writes on the shared class.
    """

    _resolving = _Resolving()

    @property  # type: ignore[override]
    def current_event(self) -> BaseProxyEvent:
        return self._resolving.event

    @current_event.setter
    def current_event(self, event: BaseProxyEvent) -> None:
        self._resolving.event = event

    @property
    def lambda_context(self) -> LambdaContext:
        return self._resolving.context

    @lambda_context.setter
    def lambda_context(self, context: LambdaContext) -> None:
        self._resolving.context = context

    def _to_proxy_event(self, event: dict[str, Any]) -> BaseProxyEvent:
        self._resolving.event = super()._to_proxy_event(event)
        return self._resolving.event

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        self._resolving.context = context
        return super().resolve(event, context)


def resolver() -> APIGatewayRestResolver:
    """A resolver with request/response validation, CORS headers and the error map installed."""
    settings = app_settings()
    origins = list(settings.cors_allow_origins)
    cors = CORSConfig(
        allow_origin=origins[0],
        extra_origins=origins[1:],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
        expose_headers=["ETag", "Retry-After"],
        max_age=600,
        allow_credentials=False,
    )
    app = Resolver(enable_validation=True, cors=cors, json_body_deserializer=parse_body)

    @app.exception_handler(errors.DomainError)
    def _domain_error(error: errors.DomainError) -> Response[str]:
        return domain_error_response(error)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response[str]:
        return error_response(422, "validation_error", "the request is not valid", _validation_details(error))

    @app.exception_handler(UnicodeDecodeError)
    def _not_utf8(_: UnicodeDecodeError) -> Response[str]:
        return error_response(422, "validation_error", "the body is not UTF-8 encoded JSON")

    @app.exception_handler(RequestUnsupportedContentType)
    def _not_json(_: RequestUnsupportedContentType) -> Response[str]:
        return error_response(415, "unsupported_media_type", "send the body as application/json")

    @app.not_found
    def _no_route(_: RouteNotFound) -> Response[str]:
        return error_response(404, "not_found", "no such route")

    @app.exception_handler(db.DatabaseUnavailable)
    @app.exception_handler(psycopg.OperationalError)
    def _database_unavailable(error: Exception) -> Response[str]:
        # Unreachable, out of connections, dropped mid-request, a statement past its timeout, or a deadlock
        # that retry_conflicts could not get past: nothing was committed, and the same request may succeed.
        logger.warning("database unavailable", extra={"error": type(error).__name__})
        return error_response(
            503, errors.ServiceUnavailable.code, "the service is busy; try again shortly", headers={"Retry-After": "2"}
        )

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[str]:
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "something went wrong on our side")

    return app


def api_handler(
    app: APIGatewayRestResolver, *, admin_only: bool = False
) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The Lambda entry point of an HTTP function: its resolver inside logging and tracing.

    ``admin_only`` refuses a caller who is not an admin before the request is even validated, so a
    non-admin learns nothing about what the route accepts (403, never a 422 describing the body)."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        refusal = _refused(event) or (_not_admin(event) if admin_only else None)
        return refusal or app.resolve(event, context)

    def warm_up() -> None:
        """Before a SnapStart snapshot: the models, each route's parameters and schema, then one request to each
        route, offline, which builds what Powertools makes on a route's first call (its middleware stack, its
        parameters' types), parses the logger's correlation path and fills the caches of the standard library
        and pydantic on the way to the route's first use of the database."""
        lifecycle.build_models()
        context = lifecycle.priming_context()
        with lifecycle.offline():
            for event in _priming_requests(app, role="admin" if admin_only else "user"):
                try:
                    handler(event, cast(LambdaContext, context))
                except Exception:  # noqa: S112 - priming is best effort: a failure must not fail the snapshot
                    continue

    lifecycle.prime(warm_up)
    return handler


def _priming_requests(app: APIGatewayRestResolver, role: str) -> Iterator[dict[str, Any]]:
    """A request to each of ``app``'s routes, as API Gateway gives it, from a signed-in caller who does not
    exist: the nil id in every path parameter, and the example of its body (``models.common.example``) as the
    body of a route that takes one."""
    nil = str(UUID(int=0))
    document = app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True)
    for path, item in document.get("paths", {}).items():
        names = re.findall(r"\{(\w+)\}", path)
        for method in ("get", "post", "put", "patch", "delete"):
            operation = item.get(method)
            if operation is None:
                continue
            yield {
                "resource": path,
                "path": re.sub(r"\{\w+\}", nil, path),
                "httpMethod": method.upper(),
                "headers": {"Content-Type": content_types.APPLICATION_JSON},
                "multiValueHeaders": {"Content-Type": [content_types.APPLICATION_JSON]},
                "queryStringParameters": None,
                "multiValueQueryStringParameters": None,
                "pathParameters": dict.fromkeys(names, nil) or None,
                "requestContext": {
                    "requestId": "priming",
                    "resourcePath": path,
                    "httpMethod": method.upper(),
                    "stage": "priming",
                    "identity": {"sourceIp": "127.0.0.1"},
                    "authorizer": {"userId": nil, "role": role, "plan": "free"},
                },
                "body": _example_body(document, operation),
                "isBase64Encoded": False,
            }


def _example_body(document: dict[str, Any], operation: dict[str, Any]) -> str | None:
    """The JSON of the example of an operation's request body (``{}`` when its model has none); None when the
    operation takes no body."""
    if "requestBody" not in operation:
        return None
    schema = operation["requestBody"]["content"][content_types.APPLICATION_JSON]["schema"]
    refs = [option["$ref"] for option in (schema, *schema.get("anyOf", ())) if "$ref" in option]
    model = document["components"]["schemas"][refs[0].rpartition("/")[2]] if refs else {}
    return json.dumps(model["examples"][0]) if model.get("examples") else "{}"


def _header(event: dict[str, Any], name: str) -> str | None:
    """A request header of a raw proxy event, by case-insensitive name."""
    return next((str(v) for k, v in (event.get("headers") or {}).items() if str(k).lower() == name), None)


def _answer(event: dict[str, Any], status: int, code: str, message: str) -> dict[str, Any]:
    """A proxy response made before the resolver runs (with the CORS header the resolver would add)."""
    body = ErrorBody(error=ErrorInfo(code=code, message=message))
    headers = {"Content-Type": content_types.APPLICATION_JSON}
    origin = _header(event, "origin")
    if origin and origin in app_settings().cors_allow_origins:
        headers["Access-Control-Allow-Origin"] = origin
    return {"statusCode": status, "headers": headers, "body": body.model_dump_json(), "isBase64Encoded": False}


def _refused(event: dict[str, Any]) -> dict[str, Any] | None:
    """What no route can use, refused before anything parses it: a body that is not JSON (every body of
    this API is; a GET ignores its body), a form even when empty (Powertools would parse it, and fail on a
    multipart type without a boundary), and query or path values Postgres cannot store (a NUL character,
    a lone surrogate)."""
    if str(event.get("httpMethod", "")).upper() in _BODY_METHODS:
        content_type = _header(event, "content-type") or "application/json"
        media_type = content_type.split(";", 1)[0].strip().lower()
        is_json = media_type == "application/json" or media_type.endswith("+json")
        is_form = media_type.startswith("multipart/") or media_type == "application/x-www-form-urlencoded"
        if (event.get("body") and not is_json) or is_form:
            return _answer(event, 415, "unsupported_media_type", "send the body as application/json")
    for values in (event.get("queryStringParameters"), event.get("pathParameters")):
        if values and not storable(values):
            return _answer(event, 422, "validation_error", "a parameter contains characters that are not allowed")
    return None


def _not_admin(event: dict[str, Any]) -> dict[str, Any] | None:
    context = (event.get("requestContext") or {}).get("authorizer") or {}
    if context.get("role") == "admin":
        return None
    return _answer(event, 403, errors.Forbidden.code, "this needs an admin")


def caller(app: APIGatewayRestResolver) -> Principal:
    """The signed-in caller, as the authorizer put it in the request context."""
    context = app.current_event.raw_event.get("requestContext", {}).get("authorizer") or {}
    try:
        principal = Principal(
            user_id=UUID(str(context["userId"])), role=str(context["role"]), plan=str(context["plan"])
        )
    except (KeyError, ValueError) as error:
        # Only reachable if a route was deployed without the authorizer: refuse rather than guess.
        raise errors.Unauthorized() from error
    logger.append_keys(user_id=str(principal.user_id))
    return principal


def require_admin(app: APIGatewayRestResolver) -> Principal:
    principal = caller(app)
    if not principal.is_admin:
        raise errors.Forbidden("this needs an admin")
    return principal


def bearer(app: APIGatewayRestResolver) -> str:
    return bearer_token(
        app.current_event.headers.get("Authorization") or app.current_event.headers.get("authorization")
    )


# Browsers take an answer's Content-Type as it is: an image route's bytes are never sniffed into HTML/script.
NOSNIFF = {"X-Content-Type-Options": "nosniff"}

_ERROR_BODY: OpenAPIResponseContentSchema = {"schema": {"$ref": "#/components/schemas/ErrorBody"}}


def responses(
    success: int | None = None, description: str = "", errors: dict[int, str] | None = None
) -> dict[int, OpenAPIResponse]:
    """A route's documented answers: its success (the body's schema comes from the route's return type) and
    the errors its own work can give, each with what it means there, e.g.
    ``responses(202, "accepted", errors={402: "the balance is below the cost", 503: UNAVAILABLE})``. What
    every route of a kind can get from the seam (401, 413, 415, 422, 429, 500) ``tools/openapi.py`` adds."""
    documented: dict[int, OpenAPIResponse] = {}
    if success is not None:
        documented[success] = {"description": description}
    for status, meaning in (errors or {}).items():
        documented[status] = {"description": meaning, "content": {"application/json": _ERROR_BODY}}
    return documented


# The errors many routes share, in the words the routes use.
NOT_FOUND = "`not_found`: no such resource of the caller's (another user's is not found either)"
UNAVAILABLE = "`service_unavailable`: the database could not be reached; retry after `Retry-After` seconds"
KEY_IN_FLIGHT = "`conflict`: a request with this Idempotency-Key is still being answered; retry after `Retry-After`"

# The OpenAPI responses of a route that serves a stored image.
IMAGE_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {
        "description": "the image bytes, typed from the bytes themselves (PNG, JPEG or WebP)",
        "content": {
            mime: OpenAPIResponseContentSchema(schema={"type": "string", "format": "binary"})
            for mime in sorted(media.ALLOWED_MIME)
        },
    },
    409: {
        "description": "`stored_image_unreadable`: the stored image is not a readable PNG, JPEG or WebP (an SVG, "
        "a data URL of another type, bytes that are no image); it is never served",
        "content": {"application/json": _ERROR_BODY},
    },
    **responses(errors={404: NOT_FOUND, 503: UNAVAILABLE}),
}


def image_response(app: APIGatewayRestResolver, load: Callable[[], media.Image]) -> Response[Any]:
    """The image ``load`` gives, with validators: an unchanged image is a 304, and browsers keep it a year (it
    never changes under its URL: a new result is a new generation or item). Every answer it makes, the domain
    errors included, says ``nosniff``."""
    try:
        image = load()
    except errors.DomainError as error:
        if isinstance(error, errors.StoredImageUnreadable):
            # Another writer of the shared database stored something that is no image: worth a look.
            logger.warning("stored image unreadable", extra={"path": app.current_event.path})
        return domain_error_response(error, NOSNIFF)
    etag = '"' + hashlib.sha256(image.data).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=31536000, immutable", **NOSNIFF}
    if app.current_event.headers.get("If-None-Match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(status_code=200, content_type=image.mime, body=image.data, headers=headers)


T = TypeVar("T")


def answer_once(
    outcome: idempotency.Done[T] | idempotency.Replay, status: int, shape: Callable[[T], BaseModel]
) -> Response[Any]:
    """The answer of a create that takes an ``Idempotency-Key`` (see ``imagify.idempotency``): a retry's first
    answer as it was stored; else the result shaped by ``shape``, with ``status``, remembered for the key."""
    if isinstance(outcome, idempotency.Replay):
        status, body = outcome.status, outcome.body
    else:
        body = shape(outcome.result).model_dump(mode="json", by_alias=True)
        outcome.remember(status, body)
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)
