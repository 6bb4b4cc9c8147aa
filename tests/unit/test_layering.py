"""The import rules of docs/architecture.md's rooms, read from the source (nothing is imported or run)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "common" / "imagify"
FUNCTIONS = sorted(ROOT.glob("functions/*/app.py"))

DOMAIN = ("identity", "billing", "generations", "wardrobe", "advisor", "uploads", "health", "cleanup")
INFRASTRUCTURE = (
    "db",
    "idempotency",
    "pagination",
    "media",
    "storage",
    "email",
    "clients",
    "settings",
    "observability",
    "errors",
    "clock",
    "secrets",
    "lifecycle",
)
SDKS = ("boto3", "botocore", "google", "psycopg")
# A statement's start, as our SQL writes it (upper case keywords, then what they act on).
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT INTO|UPDATE\s+\w+\s+SET|DELETE FROM)\b", re.DOTALL)


def imports(path: Path) -> set[str]:
    """Every module a file imports (``from a.b import c`` counts as ``a.b`` and ``a.b.c``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def room(*names: str) -> list[Path]:
    """The layer's files of the named modules and packages."""
    files: list[Path] = []
    for name in names:
        package = PACKAGE / name
        files += sorted(package.rglob("*.py")) if package.is_dir() else [PACKAGE / f"{name}.py"]
    return [file for file in files if file.exists()]


def offending(path: Path, *prefixes: str, allowed: tuple[str, ...] = ()) -> list[str]:
    return sorted(
        module
        for module in imports(path)
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)
        and not any(module == ok or module.startswith(ok + ".") for ok in allowed)
    )


def label(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_rooms_exist():
    # A rule over no files passes whatever they do: the rooms it names must be there.
    assert len(FUNCTIONS) >= 40
    for name in DOMAIN + INFRASTRUCTURE:
        assert room(name), name


@pytest.mark.parametrize("path", FUNCTIONS, ids=lambda path: path.parent.name)
def test_a_function_calls_the_domain_and_holds_no_sql_and_no_client(path: Path):
    assert offending(path, *SDKS, "imagify.db", "imagify.clients") == []
    strings = [node.value for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Constant)]
    assert [text for text in strings if isinstance(text, str) and SQL.search(text)] == []


@pytest.mark.parametrize("path", room(*DOMAIN), ids=label)
def test_the_domain_knows_no_http_and_no_api_model(path: Path):
    # Services return rows and domain results; the function (or web.py) shapes the answer.
    assert offending(path, "imagify.web", "imagify.models", "http", "aws_lambda_powertools.event_handler",
                     allowed=("imagify.models.rows",)) == []  # fmt: skip


@pytest.mark.parametrize("path", room("models"), ids=label)
def test_models_import_pydantic_and_each_other_only(path: Path):
    third_party = {module.split(".")[0] for module in imports(path)} - set(sys.stdlib_module_names)
    assert third_party <= {"pydantic", "pydantic_core", "imagify", "__future__"}
    assert offending(path, "imagify", allowed=("imagify.models",)) == []


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("ai/*/protocol.py")), ids=label)
def test_what_a_model_is_asked_names_no_sdk(path: Path):
    assert offending(path, *SDKS) == []


@pytest.mark.parametrize("path", room(*INFRASTRUCTURE), ids=label)
def test_infrastructure_does_not_reach_up_into_the_domain_or_the_web(path: Path):
    rooms_above = [f"imagify.{name}" for name in DOMAIN] + ["imagify.web", "imagify.ai"]
    assert offending(path, *rooms_above, allowed=("imagify.models.rows",)) == []


def test_the_rules_see_a_breach():
    # The checker itself: a file that breaks a rule is caught.
    assert offending(PACKAGE / "web.py", "imagify.models") != []
    assert SQL.search("SELECT id FROM users WHERE id = %s")
