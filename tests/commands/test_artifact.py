"""``make build``'s artifact, checked the way Lambda loads it.

The test runs ``make build`` as a developer does (SAM's cache makes a second run quick), then, for every
function of the template, starts python3.13 with nothing on ``sys.path`` but the function's directory, the
layer's ``python/`` and the standard library (``-I -S``: no site-packages, no PYTHONPATH), in the environment
Lambda gives a function, and imports the handler the template names. Lambda's runtime would also have
``/var/runtime`` (its own boto3 and botocore) after the layer; the layer ships the locked pair, so it must not
need it.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from devstack.template import Function, Template, load
from tests.commands.support import ROOT, locked_versions, make, output, python313, shell_environment
from tests.support.snapstart import STAND_IN_SCRIPT

pytestmark = [pytest.mark.build, pytest.mark.timeout(1200)]

BUILD = ROOT / ".aws-sam" / "build"
LAYER = BUILD / "CommonLayer" / "python"
UNZIPPED_LIMIT = 262_144_000  # bytes: a function and its layers, unzipped
REGION = "us-east-1"
# The environment Lambda's python3.13 runtime has, as far as it matters to an import.
LINUX_CP313 = {
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "python_version": "3.13",
    "python_full_version": "3.13.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
}

# The routes whose requests read or write image bytes (they prime Pillow before a SnapStart snapshot).
HANDLE_PIXELS = {
    "WardrobeItemsCreateFunction",
    "WardrobeItemImageFunction",
    "CollectionsCreateFunction",
    "CollectionPatchFunction",
    "GenerationsCreateFunction",
    "GenerationRerunFunction",
    "GenerationImageFunction",
    "AdvisorAskFunction",
}

# The functions that sign or verify access tokens: the others do not load PyJWT (nor cryptography) at init.
SIGNS_OR_VERIFIES_JWTS = {
    f"{name}Function" for name in ("Authorizer", "AuthLogin", "AuthLogout", "AuthOAuth", "AuthRefresh", "AuthRegister")
}

# Runs in the built function's interpreter: the paths Lambda puts first, the handler's import, what it loaded,
# the SnapStart hooks it registered (the runtime's snapshot_restore_py, stood in for), boto3's import, and where
# every loaded module came from.
PROBE = (
    STAND_IN_SCRIPT
    + r"""
import importlib, json, os, sys
task_root, layer, module_name, attribute = sys.argv[1:]
stdlib = list(sys.path)
sys.path[:0] = [task_root, layer]
module = importlib.import_module(module_name)
handler = getattr(module, attribute, None)
HEAVY = ("boto3", "botocore.session", "botocore.client", "aws_xray_sdk", "google.genai", "PIL")
at_init = [name for name in HEAVY if name in sys.modules]
tokens_at_init = [name for name in ("jwt", "cryptography", "argon2") if name in sys.modules]
# Lambda runs the before-snapshot hooks in the reverse order of registration (the after-restore ones connect:
# tests/unit/test_lifecycle.py runs them)
for hook in reversed(hooks["before"]):
    hook()
primed = [name for name in HEAVY if name in sys.modules]
app = getattr(module, "app", None)  # (an API function's resolver: each route had its first call, offline)
routes = [*app._static_routes, *app._dynamic_routes] if hasattr(app, "_static_routes") else []
unprimed = [f"{r.method} {r.rule.pattern}" for r in routes if hooks["before"] and not r._middleware_stack_built]
from imagify import db
from aws_lambda_powertools.logging import logger as powertools_logger
offline = {"connected": db._local.connection is not None, "cold_start_left": powertools_logger.is_cold_start}
import boto3  # what the first call to an AWS service imports, if the handler's module has not
files = {name: getattr(m, "__file__", None) for name, m in list(sys.modules.items())}
outside = sorted(
    f"{name}: {file}" for name, file in files.items()
    if file and not file.startswith((task_root + "/", layer + "/", *(p + "/" for p in stdlib)))
)
aws = {name: (sys.modules[name].__version__, files[name]) for name in ("boto3", "botocore", "s3transfer")
       if name in sys.modules}
print(json.dumps({"callable": callable(handler), "module": module.__file__, "outside": outside, "aws": aws,
                  "path": sys.path, "at_init": at_init, "tokens_at_init": tokens_at_init, "primed": primed,
                  "routes": len(routes), "unprimed": unprimed, "offline": offline,
                  "hooks": {when: len(registered) for when, registered in hooks.items()}}))
"""
)


@pytest.fixture(scope="module")
def python() -> str:
    return python313()


@pytest.fixture(scope="module")
def built(python: str) -> Path:
    result = make("build", env=shell_environment(), timeout=1100)
    assert result.returncode == 0, output(result)
    return BUILD


@pytest.fixture(scope="module")
def template() -> Template:
    return load(ROOT / "template.yaml")


def _lambda_environment(function: Function, task_root: Path) -> dict[str, str]:
    """What Lambda sets for a function (less the per-invocation trace id), then the template's variables."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LD_LIBRARY_PATH": f"/lib64:/usr/lib64:{task_root}:{task_root}/lib:/opt/lib",
        "LAMBDA_TASK_ROOT": str(task_root),
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "_HANDLER": function.handler,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/imagify-dev",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/12/03/[$LATEST]00000000000000000000000000000000",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
        "AWS_ACCESS_KEY_ID": "ASIAEXAMPLEEXAMPLE00",
        "AWS_SECRET_ACCESS_KEY": "example-secret-access-key-not-a-real-one",
        "AWS_SESSION_TOKEN": "example-session-token",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
        "_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129",
        "_AWS_XRAY_DAEMON_PORT": "2000",
    }
    env.update(function.environment)  # STAGE, POWERTOOLS_*, DATABASE_URL_PARAMETER, ... as the template sets them
    return env


def _import(
    python: str, function: Function, task_root: Path, init: str = "on-demand"
) -> tuple[Function, subprocess.CompletedProcess[str]]:
    module, _, attribute = function.handler.rpartition(".")
    result = subprocess.run(
        [python, "-I", "-S", "-c", PROBE, str(task_root), str(LAYER), module, attribute],
        cwd=task_root,  # Lambda's working directory is the task root
        env=_lambda_environment(function, task_root) | {"AWS_LAMBDA_INITIALIZATION_TYPE": init},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return function, result


def _size(root: Path) -> int:
    return sum(path.lstat().st_size for path in root.rglob("*") if path.is_file() or path.is_symlink())


def _function_dirs(built: Path) -> Iterator[Path]:
    return (path for path in sorted(built.iterdir()) if path.is_dir() and path.name.endswith("Function"))


def test_every_function_of_the_template_is_built(built: Path, template: Template) -> None:
    assert [path.name for path in _function_dirs(built)] == sorted(template.functions)
    for function in template.functions.values():
        assert function.runtime == "python3.13", function.logical_id


def test_every_handler_imports_from_the_function_and_the_layer_alone(
    built: Path, template: Template, python: str
) -> None:
    functions = [(function, built / function.logical_id) for function in template.functions.values()]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda pair: _import(python, *pair), functions))

    failures = {}
    for function, result in results:
        if result.returncode != 0:
            failures[function.logical_id] = result.stderr.strip().splitlines()[-3:]
            continue
        probe: dict[str, Any] = json.loads(result.stdout)
        task_root = str(built / function.logical_id)
        problems = []
        if not probe["callable"]:
            problems.append(f"{function.handler} is not callable")
        if not probe["module"].startswith(task_root + "/"):
            problems.append(f"the handler's module came from {probe['module']}")
        if probe["outside"]:
            problems.append(f"modules from outside the function, the layer and the stdlib: {probe['outside'][:5]}")
        if probe["path"][:2] != [task_root, str(LAYER)]:
            problems.append(f"sys.path starts {probe['path'][:3]}")
        if probe["at_init"] or probe["hooks"] != {"before": 0, "after": 0}:
            problems.append(f"at init: loaded {probe['at_init']}, SnapStart hooks {probe['hooks']} (expected none)")
        signs = function.logical_id in SIGNS_OR_VERIFIES_JWTS
        if probe["tokens_at_init"] != (["jwt", "cryptography"] if signs else []):
            # (PyJWT loads cryptography; argon2 is imported where an Argon2id hash is made or met)
            problems.append(f"at init: loaded {probe['tokens_at_init']} (signs or verifies access tokens: {signs})")
        if not {"boto3", "botocore"} <= probe["aws"].keys():
            problems.append(f"boto3 and botocore were not both imported: {probe['aws']}")
        for name, (version, file) in probe["aws"].items():
            if version != locked_versions()[name] or not file.startswith(str(LAYER) + "/"):
                problems.append(f"{name} {version} from {file}")
        if problems:
            failures[function.logical_id] = problems

    assert failures == {}
    assert len(results) == len(template.functions) > 0


def test_under_snapstart_every_function_primes_before_the_snapshot_and_refreshes_after_a_restore(
    built: Path, template: Template, python: str
) -> None:
    # Given each built function initialised as SnapStart does (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start)
    functions = [(function, built / function.logical_id, "snap-start") for function in template.functions.values()]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda args: _import(python, *args), functions))

    # Then each registered its priming before the snapshot and one refresh after a restore, and the priming ran;
    # nothing heavy was loaded by the init itself; Generate's priming loads google-genai and Pillow, and the
    # priming of a route that handles pixels Pillow, and no other (so no priming request reached AWS); each
    # route of an API function had its first call, with no connection opened (nor a secret read: that would
    # load boto3 here, where no extension listens) and nothing printed (stdout is the probe's JSON), and the
    # cold start is left for the first real request
    failures: dict[str, object] = {}
    apis = 0
    for function, result in results:
        if result.returncode != 0:
            failures[function.logical_id] = result.stderr.strip().splitlines()[-3:]
            continue
        probe: dict[str, Any] = json.loads(result.stdout)
        expected = (
            ["google.genai", "PIL"]
            if function.logical_id == "GenerationGenerateFunction"
            else ["PIL"]
            if function.logical_id in HANDLE_PIXELS
            else []
        )
        seen = (probe["hooks"], probe["at_init"], probe["primed"], probe["unprimed"], probe["offline"])
        if probe["hooks"]["before"] < 1 or seen[1:] != (
            [],
            expected,
            [],
            {"connected": False, "cold_start_left": True},
        ):
            failures[function.logical_id] = seen
        if probe["hooks"]["after"] != 1:
            failures[function.logical_id] = seen
        apis += probe["routes"] > 0
    assert failures == {}
    assert apis >= 50  # (every API function has its resolver's routes primed)


def test_the_layer_ships_the_locked_boto3_botocore_and_s3transfer(built: Path) -> None:
    locked = locked_versions()
    for package in ("boto3", "botocore", "s3transfer"):
        found = sorted(path.name for path in LAYER.glob(f"{package}-*.dist-info"))
        assert found == [f"{package}-{locked[package]}.dist-info"]


def _installed(layer: Path) -> dict[str, str]:
    installed: dict[str, str] = {}
    for dist_info in layer.glob("*.dist-info"):
        name, version = dist_info.name.removesuffix(".dist-info").split("-", 1)
        installed[canonicalize_name(name)] = version
    return installed


def test_every_distribution_in_the_layer_is_the_locked_one(built: Path) -> None:
    wanted = {}
    for line in (ROOT / "layers" / "common" / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(LINUX_CP313):
                wanted[canonicalize_name(requirement.name)] = str(requirement.specifier).removeprefix("==")

    assert _installed(LAYER) == wanted


def test_the_layer_carries_the_migrations(built: Path) -> None:
    # imagify/migrations is a symlink in the source; the MigrateFunction reads the files through it.
    shipped = sorted(path.name for path in (LAYER / "imagify" / "migrations").glob("*.sql"))
    assert shipped == sorted(path.name for path in (ROOT / "migrations").glob("*.sql"))
    assert shipped


def test_the_bytecode_is_hash_based_for_python313(built: Path, python: str) -> None:
    magic = subprocess.run(
        [python, "-I", "-c", "import importlib.util; print(importlib.util.MAGIC_NUMBER.hex())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    roots = [LAYER / "imagify", *(path for path in _function_dirs(built))]
    wrong = []
    for root in roots:
        for source in root.rglob("*.py"):
            pyc = source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc"
            header = pyc.read_bytes()[:8] if pyc.exists() else b""
            # PEP 552: the magic number, then flags 0b01 (hash-based, unchecked).
            if header[:4].hex() != magic or int.from_bytes(header[4:8], "little") != 0b01:
                wrong.append(str(pyc.relative_to(built)))
    assert wrong == []


def test_each_function_and_the_layer_fit_lambdas_unzipped_limit(built: Path) -> None:
    layer = _size(LAYER.parent)
    sizes = {path.name: _size(path) + layer for path in _function_dirs(built)}
    too_big = {name: size for name, size in sizes.items() if size >= UNZIPPED_LIMIT}

    assert too_big == {}, f"limit {UNZIPPED_LIMIT} bytes; the layer alone is {layer}"
    print(f"layer {layer} bytes; largest function + layer {max(sizes.values())} of {UNZIPPED_LIMIT}")
