"""The figures, printed and kept in ``docs/performance.md``.

Each benchmark produces a :class:`Section`. In the document a section lives between
``<!-- bench:<key> -->`` and ``<!-- /bench:<key> -->``; a run replaces only the sections it ran, so a
subset run (``--only flow``) leaves the other figures, and the prose written around them, as they were.
A section not yet in the document is appended at its end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"

_HEAD = """# Performance

Figures from `make bench` (`python -m bench`; `--quick` for a short run, `--only <names>` for a subset).
Each section below is rewritten by the benchmark that produced it, between its `bench:` markers; the text
outside the markers is written by hand.
"""


@dataclass
class Section:
    key: str
    title: str
    lines: list[str] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def paragraph(self, text: str) -> None:
        self.lines.extend([text, ""])

    def table(self, markdown: str) -> None:
        self.lines.extend([markdown, ""])

    def body(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"

    def printable(self) -> str:
        return f"\n=== {self.title} ===\n\n{self.body()}"


def _block(section: Section) -> str:
    return f"<!-- bench:{section.key} -->\n{section.body()}<!-- /bench:{section.key} -->"


def update(sections: list[Section], path: Path = DOC) -> Path:
    text = path.read_text() if path.exists() else _HEAD
    for section in sections:
        pattern = re.compile(
            rf"<!-- bench:{re.escape(section.key)} -->\n.*?<!-- /bench:{re.escape(section.key)} -->", re.DOTALL
        )
        block = _block(section)
        found = pattern.search(text)
        if found:
            text = text[: found.start()] + block + text[found.end() :]
        else:
            text = text.rstrip() + f"\n\n## {section.title}\n\n{block}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n")
    return path
