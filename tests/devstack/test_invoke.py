"""``python -m devstack invoke``: one function, one event, the result alone on stdout (like sam local invoke)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from devstack.events import api_event
from imagify import migrator

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_devstack(*args: str, database_url: str, state_dir: Path) -> subprocess.CompletedProcess[str]:
    """``python -m devstack <args>`` on ``database_url``, keeping its state (secrets) in ``state_dir``."""
    # A shell's basics only: variables other tests left in this process would override the template's.
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ"}}
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "devstack", *args, "--state-dir", str(state_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_invoke_runs_the_health_function_with_an_event_file(migrated_url: str, tmp_path: Path):
    event_file = tmp_path / "health.json"
    event_file.write_text(json.dumps(api_event("GET", "/health", headers={"Accept": "application/json"})))

    done = run_devstack(
        "invoke", "HealthFunction", "-e", str(event_file), database_url=migrated_url, state_dir=tmp_path
    )

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)  # nothing but the result: the function's own logs went to stderr
    assert result["statusCode"] == 200
    body = json.loads(result["body"])
    assert body["status"] == "ok"
    assert body["migrations"] == {"applied": len(migrator.discover()), "pending": 0}


def test_invoke_takes_a_plain_event_too(migrated_url: str, tmp_path: Path):
    event_file = tmp_path / "status.json"
    event_file.write_text('{"action": "status"}')

    done = run_devstack(
        "invoke", "MigrateFunction", "-e", str(event_file), database_url=migrated_url, state_dir=tmp_path
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pending"] == []


def test_a_raised_exception_is_an_error_result_and_a_failed_exit(migrated_url: str, tmp_path: Path):
    template = str(FIXTURES / "api" / "template.yaml")

    done = run_devstack(
        "invoke", "BrokenFunction", "--template", template, database_url=migrated_url, state_dir=tmp_path
    )

    assert done.returncode == 1
    error = json.loads(done.stdout)
    assert error["errorType"] == "Broken"
    assert error["errorMessage"] == "the handler has a bug"
    assert error["stackTrace"]


def test_an_unknown_function_is_named_in_the_error(migrated_url: str, tmp_path: Path):
    template = str(FIXTURES / "api" / "template.yaml")

    done = run_devstack("invoke", "NoSuchFunction", "-t", template, database_url=migrated_url, state_dir=tmp_path)

    assert done.returncode == 2
    assert "no function NoSuchFunction" in done.stderr
    assert done.stdout == ""


def test_the_event_command_prints_an_event_for_a_route(tmp_path: Path):
    done = subprocess.run(
        [
            *(sys.executable, "-m", "devstack", "event", "GET", "/admin/users/42"),
            *("-r", "/admin/users/{user_id}", "-H", "Authorization: Bearer x", "-q", "limit=5"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    event = json.loads(done.stdout)
    assert event["pathParameters"] == {"user_id": "42"}
    assert event["headers"] == {"Authorization": "Bearer x"}
    assert event["queryStringParameters"] == {"limit": "5"}
