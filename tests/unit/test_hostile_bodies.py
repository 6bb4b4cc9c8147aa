"""Bodies and cursors no client of ours sends are refused with a 422, never parsed into a 500."""

from __future__ import annotations

import base64
import json

import pytest

from imagify import pagination
from imagify.errors import InvalidInput
from imagify.web import MAX_BODY_DEPTH, parse_body


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "WyIyMDI1LTAxLTAxVDAwOjAwOjAwIiwgNV0",  # ["2025-01-01T00:00:00", 5]
        _cursor([1]),
        _cursor({"a": 1}),
        _cursor(True),
        _cursor(["2025-01-01T00:00:00", None]),
        _cursor([["2025-01-01T00:00:00"], "0b8f5e2a-0d6f-4b1e-9c1e-6f8a1d2c3b4a"]),
        _cursor(["2025-01-01T00:00:00+02:00", "0b8f5e2a-0d6f-4b1e-9c1e-6f8a1d2c3b4a"]),
        _cursor("[" * 5000 + "]" * 5000),
        "%%%",
        "",
        "A" * 10_001,
    ],
)
def test_a_cursor_we_did_not_make_is_invalid_input(cursor: str):
    with pytest.raises(InvalidInput):
        pagination.decode(cursor)


def test_a_cursor_we_made_round_trips():
    from datetime import datetime
    from uuid import uuid4

    at, item = datetime(2025, 1, 1, 12, 30, 1, 5), uuid4()
    assert pagination.decode(pagination.encode(at, item)) == (at, item)


@pytest.mark.parametrize(
    "body",
    [
        "[" * 1000 + "]" * 1000,
        '{"a":' * 100 + "1" + "}" * 100,
        '{"delta": 1' + "0" * 5000 + "}",
        '{"delta": -1' + "0" * 30 + "}",
        '{"x": NaN}',
        '{"x": -Infinity}',
    ],
)
def test_a_body_no_request_of_ours_needs_is_refused_before_it_is_parsed_deeply(body: str):
    with pytest.raises(InvalidInput):
        parse_body(body)


def test_ordinary_bodies_parse_as_json_does():
    body = {
        "email": "a@b.co",
        "tags": ["x", "y"],
        "garments": [{"photoUrl": '[[[[[[[[[[[[[[[[[[[[[[[[[[["\\\\', "n": -12}] * 20,
        "nested": json.loads("[" * (MAX_BODY_DEPTH - 1) + "]" * (MAX_BODY_DEPTH - 1)),
    }
    text = json.dumps(body)
    assert parse_body(text) == json.loads(text)
