"""The committed OpenAPI document, loaded by schemathesis for the suites that exercise every operation."""

from __future__ import annotations

from pathlib import Path

import schemathesis

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
schema = schemathesis.openapi.from_path(DOCUMENT)
