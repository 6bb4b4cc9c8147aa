"""The layer's requirements.txt pins boto3, botocore and s3transfer as the lock does.

Lambda's python3.13 runtime has its own boto3 and botocore in /var/runtime, but the layer comes first on
sys.path: the layer ships the locked trio, the versions the tests ran, so a function never runs the runtime's
boto3 on another botocore.
"""

from __future__ import annotations

import re

import pytest

from tests.commands.support import ROOT, locked_versions

REQUIREMENTS = ROOT / "layers" / "common" / "requirements.txt"


def _pins() -> dict[str, str]:
    pins = {}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        if found := re.match(r"^([A-Za-z0-9._-]+)==([^\s;]+)", line):
            pins[found.group(1).lower()] = found.group(2)
    return pins


@pytest.mark.parametrize("package", ["boto3", "botocore", "s3transfer"])
def test_the_layer_pins_the_aws_sdk_as_locked(package: str) -> None:
    assert _pins().get(package) == locked_versions()[package], f"{package} in {REQUIREMENTS.relative_to(ROOT)}"


def test_every_requirement_is_pinned_at_the_locked_version() -> None:
    locked = locked_versions()

    assert {name: version for name, version in _pins().items() if locked.get(name) != version} == {}
