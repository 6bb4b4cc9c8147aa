"""Summaries of timing samples (standard library only) and the tables every benchmark prints."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """Milliseconds (or any unit the samples are in), summarised."""

    n: int
    median: float
    p95: float
    p99: float
    mean: float
    minimum: float
    maximum: float


def summarize(samples: Sequence[float]) -> Summary:
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    if len(ordered) == 1:
        only = ordered[0]
        return Summary(1, only, only, only, only, only, only)
    # "inclusive" treats the samples as the population: p99 of 20 samples is close to the maximum.
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return Summary(
        n=len(ordered),
        median=statistics.median(ordered),
        p95=cuts[94],
        p99=cuts[98],
        mean=statistics.fmean(ordered),
        minimum=ordered[0],
        maximum=ordered[-1],
    )


def ms(value: float) -> str:
    """A duration in milliseconds, with the precision that means something at that size."""
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def ratio(value: float, baseline: float | None) -> str:
    if baseline is None or baseline <= 0:
        return "-"
    return f"{value / baseline:.1f}x"


def size(n_bytes: float) -> str:
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / (1024 * 1024):.2f} MiB"
    if n_bytes >= 1024:
        return f"{n_bytes / 1024:.1f} KiB"
    return f"{n_bytes:.0f} B"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> str:
    """A Markdown table; ``align`` is one letter per column (l or r), numbers right-aligned by default."""
    align = align or "l" + "r" * (len(header) - 1)
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h)) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        parts = [v.ljust(w) if a == "l" else v.rjust(w) for v, w, a in zip(values, widths, align, strict=True)]
        return "| " + " | ".join(parts) + " |"

    rule = "| " + " | ".join(("-" * (w - 1) + ":") if a == "r" else "-" * w for w, a in zip(widths, align, strict=True))
    return "\n".join([line([str(h) for h in header]), rule + " |", *(line(r) for r in cells)])


def timing_row(name: str, summary: Summary, baseline: Summary | None = None, *extra: object) -> list[object]:
    """name | n | median | p95 | p99 | xbaseline (median over the baseline's median) | extra..."""
    return [
        name,
        summary.n,
        ms(summary.median),
        ms(summary.p95),
        ms(summary.p99),
        ratio(summary.median, baseline.median if baseline else None),
        *extra,
    ]


TIMING_HEADER = ["what", "n", "median ms", "p95 ms", "p99 ms", "x baseline"]
