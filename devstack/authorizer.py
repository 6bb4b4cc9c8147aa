"""Lambda authorizers, as API Gateway runs them before a protected route.

- The identity sources (headers, query strings, ...) must all be present, else 401 without a call.
- The authorizer's answer is cached by those values for ``ReauthorizeEvery`` seconds; the cached policy is
  checked against each request's own method ARN (so a policy naming one route denies the others).
- ``raise Exception("Unauthorized")`` is 401; any other failure or a malformed answer is a 500.
- An explicit Deny, or no Allow matching the method ARN, is 403.
- ``context`` (values stringified) and ``principalId`` reach the route as ``requestContext.authorizer``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from devstack.events import method_arn, request_authorizer_event, stringify_context, token_authorizer_event
from devstack.gateway_responses import GatewayError
from devstack.output import say
from devstack.runtime import Runtime
from devstack.template import Api, Authorizer


def _pattern(glob: str) -> re.Pattern[str]:
    """IAM wildcards: ``*`` any run of characters (``/`` included), ``?`` one character."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob), re.DOTALL)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def evaluate_policy(policy: Mapping[str, Any], arn: str) -> str | None:
    """``Deny``, ``Allow`` or None (nothing matches) for ``execute-api:Invoke`` on ``arn``."""
    decision = None
    for statement in _as_list(policy.get("Statement", [])):
        actions = [str(a).lower() for a in _as_list(statement.get("Action", []))]
        if not any(_pattern(a).fullmatch("execute-api:invoke") for a in actions):
            continue
        if not any(_pattern(str(r)).fullmatch(arn) for r in _as_list(statement.get("Resource", []))):
            continue
        effect = str(statement.get("Effect", ""))
        if effect == "Deny":
            return "Deny"
        if effect == "Allow":
            decision = "Allow"
    return decision


def _lookup(values: Mapping[str, str] | None, name: str, *, case_insensitive: bool = False) -> str | None:
    if not values:
        return None
    if case_insensitive:
        return next((v for k, v in values.items() if k.lower() == name.lower()), None)
    return values.get(name)


def _context_value(context: Mapping[str, Any], name: str) -> str | None:
    """``identity.sourceIp`` and the like, from ``requestContext``."""
    value: Any = context
    for part in name.removeprefix("$context.").split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return None if value is None else str(value)


class Authorizers:
    def __init__(self, runtime: Runtime, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.runtime = runtime
        self.clock = clock
        self._cache: dict[tuple[Any, ...], tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _identity(self, authorizer: Authorizer, event: Mapping[str, Any]) -> tuple[str, ...] | None:
        """The identity source values, or None when one is missing."""
        values: list[str | None] = []
        values += [_lookup(event["headers"], h, case_insensitive=True) for h in authorizer.headers]
        values += [_lookup(event["queryStringParameters"], q) for q in authorizer.query_strings]
        values += [_lookup(event["stageVariables"], s) for s in authorizer.stage_variables]
        values += [_context_value(event["requestContext"], c) for c in authorizer.context]
        if any(not v for v in values):
            return None
        return tuple(str(v) for v in values)

    def authorize(self, api: Api, authorizer: Authorizer, event: Mapping[str, Any]) -> dict[str, Any]:
        """``requestContext.authorizer`` for the request, or a :class:`GatewayError` (401/403/500)."""
        if authorizer.function_arn is None:
            raise GatewayError(
                "AUTHORIZER_CONFIGURATION_ERROR", f"{authorizer.name}: only Lambda authorizers run locally"
            )
        identity = self._identity(authorizer, event)
        if identity is None:
            raise GatewayError("UNAUTHORIZED")
        expression = authorizer.validation_expression
        if authorizer.payload_type == "TOKEN" and expression and not re.fullmatch(expression, identity[0]):
            raise GatewayError("UNAUTHORIZED")
        arn = method_arn(event["httpMethod"], event["path"], api_id=api.api_id, stage=api.stage)
        started = time.monotonic()
        answer = self._answer(authorizer, identity, event, arn)
        decision = evaluate_policy(answer["policyDocument"], arn)
        if decision == "Deny":
            raise GatewayError("ACCESS_DENIED", "User is not authorized to access this resource with an explicit deny")
        if decision != "Allow":
            raise GatewayError("ACCESS_DENIED")
        context = stringify_context(answer.get("context") or {})
        return {
            **context,
            "principalId": answer["principalId"],
            "integrationLatency": int((time.monotonic() - started) * 1000),
        }

    def _answer(
        self, authorizer: Authorizer, identity: tuple[str, ...], event: Mapping[str, Any], arn: str
    ) -> dict[str, Any]:
        cacheable = authorizer.reauthorize_every > 0 and authorizer.has_identity_sources
        key = (authorizer.name, authorizer.function_arn, identity)
        if cacheable:
            with self._lock:
                cached = self._cache.get(key)
            if cached is not None and cached[0] > self.clock():
                return cached[1]
        answer = self._call(authorizer, identity, event, arn)
        if cacheable:
            with self._lock:
                self._cache[key] = (self.clock() + authorizer.reauthorize_every, answer)
        return answer

    def _call(
        self, authorizer: Authorizer, identity: tuple[str, ...], event: Mapping[str, Any], arn: str
    ) -> dict[str, Any]:
        assert authorizer.function_arn is not None
        function = self.runtime.find(authorizer.function_arn)
        if function is None:
            raise GatewayError(
                "AUTHORIZER_CONFIGURATION_ERROR", f"{authorizer.name}: no function {authorizer.function_arn}"
            )
        payload = (
            token_authorizer_event(identity[0], arn)
            if authorizer.payload_type == "TOKEN"
            else request_authorizer_event(event, arn)
        )
        try:
            answer = self.runtime.invoke(function.logical_id, payload)
        except Exception as error:
            if str(error) == "Unauthorized":
                raise GatewayError("UNAUTHORIZED") from error
            say(f"authorizer {function.logical_id} raised {type(error).__name__}: {error}")
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR") from error
        problem = _malformed(answer)
        if problem:
            say(f"authorizer {function.logical_id}: {problem}")
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR")
        return dict(answer)


def _malformed(answer: Any) -> str | None:
    if not isinstance(answer, dict):
        return "the answer is not an object"
    if "principalId" not in answer or not isinstance(answer.get("policyDocument"), dict):
        return "the answer needs principalId and policyDocument"
    context = answer.get("context") or {}
    if not isinstance(context, dict) or any(isinstance(v, dict | list) for v in context.values()):
        return "context values must be strings, numbers or booleans"
    return None
