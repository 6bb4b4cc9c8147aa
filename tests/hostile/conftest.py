"""The hostile suite's session tally, written to docs/reliability.md once the whole suite has run."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.hostile import reliability
from tests.hostile.test_fuzz_operations import OPERATIONS


@pytest.fixture(scope="session")
def tally() -> Iterator[reliability.Tally]:
    """Counts of the session; the doc is rewritten only when asked (``make soak``, or
    ``IMAGIFY_RELIABILITY_REPORT=1``), and only when every operation was fuzzed and the fault run ran, so
    ``make test`` and a run of one case (``-k``) leave the committed figures as they are."""
    found = reliability.Tally()
    yield found
    if reliability.WRITE and len(found.operations) == len(OPERATIONS) and found.generations:
        reliability.write(found, found.finished - found.started)


@pytest.fixture(autouse=True)
def _timed(tally: reliability.Tally) -> Iterator[None]:
    """The suite's duration: from the start of its first test to the end of its last (other tests of the
    session run before and after it)."""
    tally.started = tally.started or time.monotonic()
    yield
    tally.finished = time.monotonic()
