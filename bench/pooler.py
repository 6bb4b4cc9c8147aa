"""PgBouncer in front of the benchmark's Postgres, as Neon's pooled endpoint (the ``-pooler`` host the README
says to deploy with) is in front of its compute.

Through a pooler, a new client (a Lambda environment just restored from a snapshot) is handed a server backend
that has served clients before, whose caches of the catalog and of plans are warm; connecting directly, it
gets a new backend that must load them on each statement's first run. The init benchmark measures both.

Session mode, so that psycopg's prepared statements stay correct with the PgBouncer Debian ships (1.18, which
cannot track them in transaction mode; Neon's, 1.22+, can): what makes a backend warm is the same in both modes.
PgBouncer is optional: ``apt-get install pgbouncer``; without it the pooled figures are left out.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from psycopg import conninfo

BINARY_PATHS = ("/usr/sbin/pgbouncer", "/usr/local/bin/pgbouncer")


def binary() -> str | None:
    return shutil.which("pgbouncer") or next((p for p in BINARY_PATHS if Path(p).exists()), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def pgbouncer(url: str) -> Iterator[str | None]:
    """A pooled URL for the database at ``url`` while inside, or None when PgBouncer is not installed."""
    program = binary()
    if program is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="imagify-bench-pgbouncer-") as workdir:
        yield from _serve(program, url, Path(workdir))


def _serve(program: str, url: str, workdir: Path) -> Iterator[str]:
    target = conninfo.conninfo_to_dict(url)
    database, user = str(target["dbname"]), str(target.get("user") or "postgres")
    server = {key: target[key] for key in ("host", "port", "password") if target.get(key)}
    port = _free_port()
    workdir.chmod(0o755)  # (as root, PgBouncer runs as another user, who must read its files)
    (workdir / "users.txt").write_text(f'"{user}" ""\n')
    upstream = " ".join(f"{key}={value}" for key, value in {**server, "dbname": database, "user": user}.items())
    config = workdir / "pgbouncer.ini"
    config.write_text(
        f"[databases]\n{database} = {upstream}\n\n[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {workdir / 'users.txt'}\n"
        "pool_mode = session\ndefault_pool_size = 4\nmax_client_conn = 200\n"
        "ignore_startup_parameters = extra_float_digits\nlog_connections = 0\nlog_disconnections = 0\n"
    )
    for path in workdir.iterdir():
        path.chmod(0o644)
    command = [program, *(["-u", _run_as(server.get("host"))] if os.geteuid() == 0 else []), str(config)]
    log = workdir / "pgbouncer.log"  # (a file, never a pipe: a full pipe would stop PgBouncer mid-run)
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=output)
    try:
        _wait_for(port, process, log)
        yield conninfo.make_conninfo(host="127.0.0.1", port=port, dbname=database, user=user)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _run_as(host: object) -> str:
    """PgBouncer refuses to run as root: as root, it runs as the owner of the server's socket directory (who
    may reach the socket), else as nobody (a server on TCP)."""
    if isinstance(host, str) and host.startswith("/"):
        return pwd.getpwuid(Path(host).stat().st_uid).pw_name
    return "nobody"


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("pgbouncer did not start listening")
