"""API Gateway's resource matching: ``/generations/{id}``, ``/files/{proxy+}``, literal segments first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar
from urllib.parse import unquote

LITERAL, PARAMETER, GREEDY = 0, 1, 2


def segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part] if path.strip("/") else []


def _kind(segment: str) -> int:
    if segment.startswith("{") and segment.endswith("+}"):
        return GREEDY
    if segment.startswith("{") and segment.endswith("}"):
        return PARAMETER
    return LITERAL


def match_resource(resource: str, raw_path: str) -> tuple[tuple[int, ...], dict[str, str]] | None:
    """Whether ``raw_path`` (still percent-encoded) fits the resource template.

    Returns the match's rank (compared lexicographically: a literal segment beats ``{param}``, which beats
    ``{proxy+}``, from the left, which is how API Gateway picks between overlapping resources) and the
    decoded path parameters.
    """
    wanted, actual = segments(resource), segments(raw_path)
    rank: list[int] = []
    parameters: dict[str, str] = {}
    for index, segment in enumerate(wanted):
        kind = _kind(segment)
        rank.append(kind)
        if kind == GREEDY:
            rest = actual[index:]
            if not rest or index != len(wanted) - 1:
                return None
            parameters[segment[1:-2]] = unquote("/".join(rest))
            return tuple(rank), parameters
        if index >= len(actual):
            return None
        if kind == PARAMETER:
            parameters[segment[1:-1]] = unquote(actual[index])
        elif unquote(actual[index]) != segment:
            return None
    if len(actual) != len(wanted):
        return None
    return tuple(rank), parameters


T = TypeVar("T")


class RouteTable(Generic[T]):
    """Resources and, for each, its methods (``ANY`` included) mapped to whatever the caller keeps."""

    def __init__(self, entries: Iterable[tuple[str, str, T]] = ()) -> None:
        self._resources: dict[str, dict[str, T]] = {}
        for resource, method, value in entries:
            self.add(resource, method, value)

    def add(self, resource: str, method: str, value: T) -> None:
        normalised = "/" + "/".join(segments(resource))
        self._resources.setdefault(normalised, {})[method.upper()] = value

    @property
    def resources(self) -> dict[str, dict[str, T]]:
        return self._resources

    def match(self, raw_path: str) -> tuple[str, dict[str, str], dict[str, T]] | None:
        """The most specific resource for the path: (resource, path parameters, methods)."""
        best: tuple[tuple[int, ...], str, dict[str, str]] | None = None
        for resource in self._resources:
            found = match_resource(resource, raw_path)
            if found is not None and (best is None or found[0] < best[0]):
                best = (found[0], resource, found[1])
        if best is None:
            return None
        return best[1], best[2], self._resources[best[1]]
