"""Page cursors: opaque, URL-safe, and strict (only a cursor ``encode`` made decodes)."""

from __future__ import annotations

import base64
import re
from datetime import datetime
from uuid import UUID

import pytest

from imagify import pagination
from imagify.errors import InvalidInput

ITEM = UUID("0b8f5e2a-0d6f-4b1e-9c1e-6f8a1d2c3b4a")


@pytest.mark.parametrize(
    "at",
    [datetime(2025, 1, 1), datetime(2025, 1, 1, 12, 30, 1, 5), datetime(1999, 12, 31, 23, 59, 59, 999_999)],
    ids=["midnight", "microseconds", "last-microsecond"],
)
def test_a_cursor_round_trips_to_the_same_position(at: datetime):
    assert pagination.decode(pagination.encode(at, ITEM)) == (at, ITEM)


def test_a_cursor_is_url_safe_without_padding():
    cursor = pagination.encode(datetime(2025, 6, 30, 23, 59, 59, 123_456), ITEM)

    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)


def test_no_cursor_is_the_first_page():
    assert pagination.decode(None) is None


def test_a_later_position_has_a_different_cursor():
    first = pagination.encode(datetime(2025, 1, 1), ITEM)

    assert pagination.encode(datetime(2025, 1, 1, 0, 0, 0, 1), ITEM) != first
    assert pagination.encode(datetime(2025, 1, 1), UUID(int=1)) != first


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b'["2025-01-01T00:00:00", "not-a-uuid"]').decode(),
        base64.urlsafe_b64encode(b'["not a date", "0b8f5e2a-0d6f-4b1e-9c1e-6f8a1d2c3b4a"]').decode(),
        base64.urlsafe_b64encode(b'["2025-01-01T00:00:00", "0b8f5e2a-0d6f-4b1e-9c1e-6f8a1d2c3b4a", 1]').decode(),
        "x" * 600,
    ],
)
def test_a_cursor_we_did_not_make_is_refused_as_the_query_s_cursor(cursor: str):
    with pytest.raises(InvalidInput) as refused:
        pagination.decode(cursor)

    assert refused.value.code == "validation_error"
    assert refused.value.details == [{"loc": ["query", "cursor"], "msg": "invalid cursor"}]
