"""A deployment-shaped copy of the code, built from this checkout and its virtualenv, so a cold start
imports what Lambda would: ``task/<function>/`` (``/var/task``, the function's ``CodeUri``),
``layer/python/`` (``/opt/python``: ``imagify`` and the packages of ``layers/common/requirements.txt``) and
``runtime/`` (``/var/runtime``: boto3 and botocore, which the Python runtime provides and the layer
leaves out). Nothing from the dev dependencies (moto, pytest, ...) is there.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from tools import pyc

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "layers" / "common" / "requirements.txt"
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer")


@dataclass(frozen=True)
class Deployment:
    root: Path

    @property
    def task(self) -> Path:
        return self.root / "task"

    @property
    def layer(self) -> Path:
        return self.root / "layer" / "python"

    @property
    def runtime(self) -> Path:
        return self.root / "runtime"

    def function_dir(self, code_uri: Path) -> Path:
        return self.task / code_uri.name


def layer_distributions() -> list[str]:
    """The distributions ``layers/common/requirements.txt`` pins for this platform."""
    from packaging.markers import Marker

    names = []
    for raw in REQUIREMENTS.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        requirement, _, marker = line.partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        match = re.match(r"[A-Za-z0-9_.-]+", requirement.strip())
        if match:
            names.append(match.group(0))
    return names


def _copy_distribution(name: str, target: Path) -> int:
    dist = metadata.distribution(name)
    base = Path(str(dist.locate_file(""))).resolve()
    copied = 0
    for entry in dist.files or ():
        source = Path(str(dist.locate_file(entry))).resolve()
        if base not in source.parents or "__pycache__" in source.parts or source.suffix == ".pyc":
            continue
        if not source.is_file():
            continue
        destination = target / source.relative_to(base)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
        copied += 1
    return copied


def checkout(ref: str, destination: Path) -> Path:
    """The function code and the layer's package as they were at git ``ref`` (what a deploy of it ships)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref, "layers/common", "functions", "migrations"],
        capture_output=True,
        check=True,
    ).stdout
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def build(root: Path, function_dirs: list[Path], source: Path = ROOT) -> Deployment:
    """Copy the sources (no bytecode) into ``root``: the functions named (from ``source``'s ``functions/``),
    the layer's package and its dependencies."""
    deployment = Deployment(root)
    if root.exists():
        shutil.rmtree(root)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for function_dir in function_dirs:
        shutil.copytree(source / "functions" / function_dir.name, deployment.function_dir(function_dir), ignore=ignore)
    # The layer's package as SAM copies it (symlinks followed: migrations/ is a link to the repo's).
    shutil.copytree(source / "layers" / "common" / "imagify", deployment.layer / "imagify", ignore=ignore)
    for name in layer_distributions():
        _copy_distribution(name, deployment.layer)
    for name in RUNTIME_PACKAGES:
        _copy_distribution(name, deployment.runtime)
    return deployment


def prepare(deployment: Deployment, mode: str) -> None:
    """Bytecode of ``mode`` in the function code and the layer (see :mod:`tools.pyc`); the runtime's own
    packages always have valid bytecode, as AWS's runtime image does."""
    pyc.prepare(deployment.task, mode)
    pyc.prepare(deployment.layer, mode)
    pyc.remove_bytecode(deployment.runtime)
    pyc.compile_tree(deployment.runtime, "timestamp")


def copy(deployment: Deployment, root: Path) -> Deployment:
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(deployment.root, root, symlinks=True)
    return Deployment(root)


def size_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
