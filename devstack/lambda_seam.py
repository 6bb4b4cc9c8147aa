"""Where moto's Lambda meets the real handlers.

With ``{"lambda": {"use_docker": false}}`` moto serves Lambda from ``LambdaSimpleBackend``, whose
``invoke`` just echoes the payload. Its Step Functions engine calls Lambda tasks through a boto3 client
pointed at ``http://localhost:$MOTO_PORT`` (``stepfunctions/parser/asl/utils/boto_client.py``), so every
task, like any other Invoke sent to moto, ends up in ``LambdaSimpleBackend.invoke``. Replacing that one
method runs the handler in-process; a raised exception becomes a function error
(``X-Amz-Function-Error: Unhandled`` and ``{"errorType": <class name>, ...}``), which the engine turns
into the error name that ``Retry`` and ``Catch`` match.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from devstack.output import say
from devstack.runtime import Runtime, error_payload


def _event(body: Any) -> Any:
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return json.loads(body) if body else {}


def _run(runtime: Runtime, logical_id: str, event: Any) -> tuple[bytes, bool]:
    """(response payload, whether it is a function error)."""
    context = runtime.context(logical_id)
    try:
        result = runtime.invoke(logical_id, event, context=context)
    except Exception as error:
        say(f"lambda {logical_id} raised {type(error).__name__}: {error}")
        return json.dumps(error_payload(error, context.aws_request_id)).encode(), True
    try:
        return json.dumps(result).encode(), False
    except (TypeError, ValueError) as error:
        payload = {"errorType": "Runtime.MarshalError", "errorMessage": f"Unable to marshal response: {error}"}
        return json.dumps(payload).encode(), True


def install(runtime: Runtime) -> Callable[[], None]:
    """Patch moto's simple Lambda backend to call ``runtime``; returns the function that undoes it."""
    from moto.awslambda_simple.models import LambdaSimpleBackend

    original = LambdaSimpleBackend.invoke

    def invoke(
        self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any, response_headers: Any
    ) -> str | bytes | None:
        function = runtime.find(function_name)
        if function is None:
            return original(self, function_name, qualifier, body, headers, response_headers)
        event = _event(body)
        if headers.get("X-Amz-Invocation-Type") == "Event":
            # Asynchronous: accepted now, run in the background like Lambda's internal queue.
            thread = threading.Thread(target=_run, args=(runtime, function.logical_id, event), daemon=True)
            thread.start()
            return b""
        payload, failed = _run(runtime, function.logical_id, event)
        if failed:
            response_headers["x-amz-function-error"] = "Unhandled"
        response_headers["x-amz-executed-version"] = "$LATEST"
        return payload

    setattr(LambdaSimpleBackend, "invoke", invoke)  # noqa: B010 - mypy forbids assigning to a method

    def uninstall() -> None:
        setattr(LambdaSimpleBackend, "invoke", original)  # noqa: B010

    return uninstall
