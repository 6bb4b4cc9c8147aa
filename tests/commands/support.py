"""Running ``make`` targets as a developer does: from the repository, in a shell's environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A developer's shell: its basics, and what reaches a package index through a proxy or a mirror. Nothing else
# of this process: `make test` exports UV_* and MAKEFLAGS, and other tests set application variables.
_SHELL = {"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TMPDIR", "TZ", "PYENV_ROOT", "CI"}
_SHELL_PREFIXES = (
    *("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "SSL_CERT_"),
    *("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "UV_INDEX", "UV_DEFAULT_INDEX", "UV_CACHE_DIR", "PYTHON313"),
)


def shell_environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in _SHELL or k.startswith(_SHELL_PREFIXES)}
    env.update(extra)
    return env


def make(*args: str, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """``make <args>`` in the repository; its output, whatever its exit status."""
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def output(result: subprocess.CompletedProcess[str], lines: int = 40) -> str:
    """The end of a command's output, for an assertion's message."""
    tail = (result.stdout + result.stderr).splitlines()[-lines:]
    return f"exit {result.returncode}; output ends:\n" + "\n".join(tail)


def locked_versions() -> dict[str, str]:
    """Every package of ``uv.lock`` and its version."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {package["name"]: package["version"] for package in lock["package"] if "version" in package}


def _is_python313(candidate: str) -> bool:
    try:
        probe = subprocess.run(
            [candidate, "-c", "import sys; sys.exit(sys.version_info[:2] != (3, 13))"], capture_output=True, timeout=30
        )
    except OSError:
        return False
    return probe.returncode == 0


def python313() -> str:
    """A python3.13 (the Lambda runtime's), found where the Makefile looks: ``$PYTHON313``, PATH, pyenv's
    versions, /usr. None: skip, naming it; in CI, fail instead, since CI must prove the build."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates = [os.environ.get("PYTHON313", ""), shutil.which("python3.13") or ""]
    candidates += sorted(str(path) for path in pyenv.glob("versions/3.13*/bin/python3.13"))
    candidates += ["/usr/local/bin/python3.13", "/usr/bin/python3.13"]
    for candidate in filter(None, candidates):
        if _is_python313(candidate):
            return candidate
    reason = (
        "no python3.13 (the Lambda runtime's Python, which `make build` needs): none runs from $PYTHON313, PATH, "
        f"{pyenv}/versions/3.13*/bin or /usr; `pyenv install 3.13` brings one"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)
