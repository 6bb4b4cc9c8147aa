"""The hostile suite's counters, and the section of docs/reliability.md each run size owns.

``IMAGIFY_SOAK=1`` (what ``make soak`` sets) multiplies every count by :data:`SOAK_FACTOR`; without it the
suite is small enough for ``make test``. Each size rewrites only its own section of the doc, between
``<!-- hostile:<size> -->`` markers, so the figures of the other size stay as they were.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
SOAK_FACTOR = 10
SOAK = os.environ.get("IMAGIFY_SOAK", "").strip() not in ("", "0", "false", "no")
# Whether this run writes its figures to docs/reliability.md: `make soak` does, `make test` does not (a test
# run leaves the working tree as it found it); IMAGIFY_RELIABILITY_REPORT=1 asks for it at the default size.
WRITE = SOAK or os.environ.get("IMAGIFY_RELIABILITY_REPORT", "").strip() not in ("", "0", "false", "no")
SIZE = "soak" if SOAK else "default"


def scaled(count: int) -> int:
    """A count of the default size, for the size this run is."""
    return count * SOAK_FACTOR if SOAK else count


@dataclass
class Tally:
    """What one run of the suite tried and found. Threads of one test add to it at once, hence the lock."""

    requests: int = 0
    faults: int = 0
    server_errors: int = 0
    tokens_lost: int = 0
    generations: int = 0
    operations: set[str] = field(default_factory=set)
    started: float = 0.0
    finished: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def answered(self, status: int) -> None:
        with self._lock:
            self.requests += 1
            if status >= 500:
                self.server_errors += 1

    def add(self, *, faults: int = 0, tokens_lost: int = 0, generations: int = 0) -> None:
        with self._lock:
            self.faults += faults
            self.tokens_lost += tokens_lost
            self.generations += generations


_HEADER = """# Reliability

Figures from the bounded hostile suite (`tests/hostile/`): every operation of `docs/openapi.json` fuzzed with
hostile bodies, query cursors, headers, path parameters and images through the local stack's gateway, and
generations run through the real state machine against a fake Gemini that injects faults (throttling, 5xx,
timeouts, safety blocks, text instead of an image, bytes that are not an image, errors that carry an API key
or an HTML traceback), with cancels, deletes and repeated `Idempotency-Key`s in flight. `make test` runs the
default size; `make soak` (`IMAGIFY_SOAK=1`) runs ten times as many cases. Each run rewrites its own row
below, so the diff of this file shows what changed since the last run of the same size.

What the figures mean:

- **requests**: HTTP requests the suite sent to the API (fuzzing and the generation flow together, the
  flow's polling of `GET /generations/{id}` included).
- **faults**: faulty answers the fake Gemini actually gave (each retry that met a fault counts once).
- **generations**: generations started through `POST /generations` under injected faults.
- **5xx**: answers of the API with a status of 500 or more. Anything but 0 is a defect: one found and not
  fixed yet is kept as a test marked `xfail(strict=True)` that names it, and its 5xx are counted here.
- **tokens lost**: the sum over users of |balance - sum of their ledger|, plus every refund missing or
  given twice. Anything but 0 is a defect.
- **duration**: wall-clock time of the suite, on the machine that ran it.

"""

_ROW = "| {date} | {size} | {operations} | {requests} | {faults} | {generations} | {errors} | {lost} | {duration} |"
_TABLE = (
    "| date | size | operations | requests | faults | generations | 5xx | tokens lost | duration |\n"
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
)


def section(tally: Tally, duration_s: float, *, size: str = SIZE, today: datetime | None = None) -> str:
    row = _ROW.format(
        date=(today or datetime.now(UTC)).strftime("%Y-%m-%d"),
        size=size,
        operations=len(tally.operations),
        requests=tally.requests,
        faults=tally.faults,
        generations=tally.generations,
        errors=tally.server_errors,
        lost=tally.tokens_lost,
        duration=f"{duration_s:.0f} s",
    )
    return f"<!-- hostile:{size} -->\n## {size.capitalize()} size\n\n{_TABLE}{row}\n<!-- /hostile:{size} -->\n"


def write(tally: Tally, duration_s: float, *, size: str = SIZE, doc: Path = DOC) -> None:
    """Rewrite this size's section of the doc (creating the doc, or the section, when missing)."""
    text = doc.read_text() if doc.exists() else _HEADER
    fresh = section(tally, duration_s, size=size)
    pattern = re.compile(rf"<!-- hostile:{size} -->.*?<!-- /hostile:{size} -->\n", re.DOTALL)
    text = pattern.sub(lambda _: fresh, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + fresh
    doc.write_text(text)
