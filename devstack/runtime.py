"""Runs the template's handlers in this process, one module per function, loaded once (a warm container)."""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from devstack.cfn import TemplateError
from devstack.context import LambdaContext
from devstack.output import say
from devstack.template import Function, Template

Handler = Callable[[Any, LambdaContext], Any]


def error_payload(error: BaseException, request_id: str = "") -> dict[str, Any]:
    """What the Python runtime reports for a raised exception (``errorType`` is the class name)."""
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "requestId": request_id,
        "stackTrace": [line.rstrip("\n") for line in traceback.format_tb(error.__traceback__)],
    }


def _handler_file(function: Function, module_path: str) -> Path:
    base = function.code_uri.joinpath(*module_path.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    raise TemplateError(f"{function.logical_id}: handler module {module_path} not found in {function.code_uri}")


def load_handler(function: Function) -> Handler:
    """Import ``CodeUri/<module>.py`` as ``devstack_fn_<LogicalId>`` and return its handler."""
    if not function.runtime.startswith("python"):
        raise TemplateError(f"{function.logical_id}: runtime {function.runtime} cannot run in-process")
    module_path, _, attribute = function.handler.rpartition(".")
    path = _handler_file(function, module_path)
    name = f"devstack_fn_{function.logical_id}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    # Registered before it runs, as a normal import would be: pydantic and dataclasses look it up there.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise TemplateError(f"{function.logical_id}: {path.name} has no callable {attribute}")
    return handler  # type: ignore[no-any-return]


class Runtime:
    """Invokes functions by logical id, name or ARN; handlers are imported on first use (cold start).

    Each function has one warm execution environment: its invocations run one at a time, as Lambda never
    runs two in one environment, while different functions run side by side (a slow state machine task
    does not hold up the API). An invocation that waits longer than its function's Timeout (one waiting on
    another it started itself, say) runs anyway, with a warning, rather than deadlock. Tests that want
    several environments of one function make several runtimes.
    """

    def __init__(self, template: Template) -> None:
        self.template = template
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._environments: dict[str, threading.Lock] = {}

    def find(self, name_or_arn: str) -> Function | None:
        """A function by logical id, name, or (possibly qualified) ARN, as Lambda's ``FunctionName`` allows."""
        name = name_or_arn
        if name.startswith("arn:"):
            name = name.split(":function:", 1)[-1]
        name = name.split(":", 1)[0]
        for function in self.template.functions.values():
            if name in (function.logical_id, function.name):
                return function
        return None

    def handler(self, function: Function) -> Handler:
        with self._lock:
            if function.logical_id not in self._handlers:
                self._handlers[function.logical_id] = load_handler(function)
            return self._handlers[function.logical_id]

    def _environment(self, function: Function) -> threading.Lock:
        with self._lock:
            return self._environments.setdefault(function.logical_id, threading.Lock())

    def context(self, logical_id: str) -> LambdaContext:
        function = self.template.function(logical_id)
        return LambdaContext(
            function.name,
            memory_limit_in_mb=function.memory_size,
            timeout_s=function.timeout,
            invoked_function_arn=function.arn,
        )

    def invoke(self, logical_id: str, event: Any, *, context: LambdaContext | None = None) -> Any:
        """Run the handler once; its exception, if any, propagates."""
        function = self.template.function(logical_id)
        handler = self.handler(function)
        context = context or self.context(logical_id)
        environment = self._environment(function)
        exclusive = environment.acquire(timeout=function.timeout)
        if not exclusive:
            say(f"warning: {logical_id} waited {function.timeout}s for its previous invocation; running beside it")
        started = time.monotonic()
        try:
            return handler(event, context)
        finally:
            if exclusive:
                environment.release()
            elapsed = time.monotonic() - started
            if elapsed > function.timeout:
                # A thread cannot be stopped, so the timeout is reported rather than enforced.
                say(f"warning: {logical_id} ran {elapsed:.1f}s, over its Timeout of {function.timeout}s")
