"""The frontend's database libraries, run by node against the test database.

The Next.js frontend shares the database: drizzle-orm, drizzle-kit, Auth.js's Drizzle adapter, bcryptjs and
node-postgres, pinned in package-lock.json here and installed by the first test that needs them (``npm ci``).
Each script in this folder does one thing the frontend does and prints one JSON document.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote, urlencode

import psycopg
import pytest
from psycopg import conninfo
from psycopg.rows import dict_row

from imagify import migrator

FRONTEND = Path(__file__).parent
REPO = FRONTEND.parents[1]
NODE_MAJOR = 20


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "frontend: the frontend's Node libraries (npm ci, node, drizzle-kit) on the database (part of `make test`)",
    )


def node_url(url: str) -> str:
    """A libpq connection string (URL or key=value) as a postgres:// URL that node-postgres and drizzle-kit read.

    A Unix-socket host (the embedded server's) goes in the ``host`` query parameter, as pg-connection-string
    expects it.
    """
    parts = conninfo.conninfo_to_dict(url)
    host = str(parts.get("host") or "localhost")
    query = {"host": host} if host.startswith("/") else {}
    if parts.get("sslmode"):
        query["sslmode"] = str(parts["sslmode"])
    user = quote(str(parts.get("user") or ""), safe="")
    password = quote(str(parts.get("password") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    netloc = "localhost" if host.startswith("/") else host
    port = f":{parts['port']}" if parts.get("port") else ""
    dbname = quote(str(parts.get("dbname") or ""), safe="")
    return f"postgresql://{credentials}{netloc}{port}/{dbname}" + (f"?{urlencode(query)}" if query else "")


def _missing_node(reason: str) -> NoReturn:
    # On CI a missing node is a broken build, not a reason to run fewer tests.
    if os.environ.get("CI", "").lower() in {"true", "1", "yes"}:
        pytest.fail(f"{reason} (CI is set, so this is an error rather than a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def frontend_packages() -> Path:
    """node_modules installed from package-lock.json, by ``npm ci`` when missing or older than the lock."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _missing_node(f"the frontend library tests need Node.js {NODE_MAJOR}+ and npm on PATH")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < NODE_MAJOR:
        _missing_node(f"the frontend library tests need Node.js {NODE_MAJOR}+, found {version}")
    installed = FRONTEND / "node_modules" / ".package-lock.json"
    lock = FRONTEND / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci in {FRONTEND} failed:\n{done.stdout}\n{done.stderr}")
    return FRONTEND / "node_modules"


@dataclass
class Node:
    """Runs this folder's scripts with node (TypeScript imports through tsx) on one database."""

    database_url: str

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.database_url, "NO_COLOR": "1", **(extra or {})}

    def run(self, script: str, *args: str, env: dict[str, str] | None = None, cwd: Path = FRONTEND) -> Any:
        """The JSON the script printed; the test fails with the script's stderr if it failed."""
        done = subprocess.run(
            ["node", "--import", "tsx", script, *args],
            cwd=cwd,
            env=self.env(env),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            pytest.fail(f"node {script} {' '.join(args)} failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def drizzle_kit(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
        """drizzle-kit's CLI as the frontend runs it; its whole output (ANSI colours and all)."""
        done = subprocess.run(
            ["node", str(FRONTEND / "node_modules" / "drizzle-kit" / "bin.cjs"), *args],
            cwd=cwd,
            env=self.env(env),
            capture_output=True,
            text=True,
            timeout=300,
        )
        output = done.stdout + done.stderr
        if done.returncode != 0:
            pytest.fail(f"drizzle-kit {' '.join(args)} failed ({done.returncode}):\n{output}")
        return output


@pytest.fixture
def node(frontend_packages: Path, database: str) -> Node:
    """The scripts on the test's (migrated, emptied afterwards) database."""
    return Node(node_url(database))


@pytest.fixture
def backend_database(make_database: Callable[[], str]) -> str:
    """A database of the test's own, built by the backend's migrations/ (for what drizzle-kit may change)."""
    url = make_database()
    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        migrator.apply(conn)
    return url
