"""What the application sends to Postgres, seen from inside the process.

:func:`capturing` patches psycopg for the duration: every statement a cursor executes (``Connection.execute``
goes through one), every transaction command psycopg sends itself (``BEGIN``, ``COMMIT``, ``ROLLBACK``,
savepoints) and every new connection is recorded, each a round trip to the server. Records carry a label
(the Lambda function running on that thread, when :func:`label` or :func:`labelled_runtime` set one), so
a flow that runs on the state machine's threads can be counted per task.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg._connection_base import BaseConnection


@dataclass(frozen=True)
class Statement:
    label: str
    kind: str  # "statement", "transaction" (BEGIN/COMMIT/...), "connect"
    query: Any
    params: Any
    text: str


@dataclass
class Capture:
    records: list[Statement] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Statement) -> None:
        with self._lock:
            self.records.append(record)

    def clear(self) -> None:
        with self._lock:
            self.records.clear()

    def snapshot(self) -> list[Statement]:
        with self._lock:
            return list(self.records)

    def counts(self, by: str = "kind") -> Counter[str]:
        return Counter(getattr(r, by) for r in self.snapshot())

    def per_label(self) -> dict[str, Counter[str]]:
        found: dict[str, Counter[str]] = {}
        for record in self.snapshot():
            found.setdefault(record.label, Counter())[record.kind] += 1
        return found

    def statements(self) -> list[Statement]:
        return [r for r in self.snapshot() if r.kind == "statement"]


_current = threading.local()


def current_label() -> str:
    return getattr(_current, "label", "") or "-"


@contextmanager
def label(name: str) -> Iterator[None]:
    previous = getattr(_current, "label", "")
    _current.label = name
    try:
        yield
    finally:
        _current.label = previous


def _text(query: Any) -> str:
    if isinstance(query, bytes):
        return query.decode(errors="replace")
    if isinstance(query, str):
        return query
    try:
        return str(query.as_string(None))
    except Exception:  # a Composed that needs a connection to render
        return repr(query)


@contextmanager
def capturing() -> Iterator[Capture]:
    capture = Capture()
    original_execute = psycopg.Cursor.execute
    original_command = BaseConnection._exec_command
    original_connect = psycopg.connect

    def execute(self: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
        capture.add(Statement(current_label(), "statement", query, params, _text(query)))
        return original_execute(self, query, params, **kwargs)

    def command(self: Any, command: Any, *args: Any, **kwargs: Any) -> Any:
        capture.add(Statement(current_label(), "transaction", command, None, _text(command)))
        return original_command(self, command, *args, **kwargs)

    def connect(*args: Any, **kwargs: Any) -> Any:
        capture.add(Statement(current_label(), "connect", None, None, "connect"))
        return original_connect(*args, **kwargs)

    psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    BaseConnection._exec_command = command  # type: ignore[method-assign]
    psycopg.connect = connect
    try:
        yield capture
    finally:
        psycopg.Cursor.execute = original_execute  # type: ignore[method-assign]
        BaseConnection._exec_command = original_command  # type: ignore[method-assign]
        psycopg.connect = original_connect


@contextmanager
def labelled_runtime() -> Iterator[dict[str, list[float]]]:
    """Label every handler the local stack's runtime runs with its function, and time the handler itself
    (seconds; without the wait for the runtime's one-invocation-at-a-time lock)."""
    import time

    from devstack.runtime import Runtime
    from devstack.template import Function

    durations: dict[str, list[float]] = {}
    original: Callable[..., Any] = Runtime.handler

    def handler(self: Runtime, function: Function) -> Any:
        inner = original(self, function)

        def timed(event: Any, context: Any) -> Any:
            started = time.perf_counter()
            try:
                with label(function.logical_id):
                    return inner(event, context)
            finally:
                durations.setdefault(function.logical_id, []).append(time.perf_counter() - started)

        return timed

    Runtime.handler = handler  # type: ignore[method-assign]
    try:
        yield durations
    finally:
        Runtime.handler = original  # type: ignore[method-assign]
