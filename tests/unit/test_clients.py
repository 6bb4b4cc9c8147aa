"""The one registry of what a warm function keeps (``imagify.clients``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from imagify import clients, settings
from imagify.identity import keys


def test_reset_forgets_every_cached_factory_and_calls_what_registered(monkeypatch: pytest.MonkeyPatch):
    # Given a setting read, a factory of our own registered, and a reset hook
    made: list[int] = []
    forgotten: list[bool] = []

    @clients.cached
    def counter() -> int:
        made.append(1)
        return len(made)

    clients.on_reset(lambda: forgotten.append(True))
    monkeypatch.setenv("ADVISOR_COST", "3")
    first_pricing = settings.pricing_settings()
    assert counter() == counter() == 1  # kept between calls

    # When the registry is reset
    monkeypatch.setenv("ADVISOR_COST", "4")
    clients.reset()

    # Then each is made again, from the environment as it is now, and the hook ran
    assert counter() == 2
    assert (first_pricing.advisor_cost, settings.pricing_settings().advisor_cost) == (3, 4)
    assert forgotten == [True]
    clients._resets.pop()  # (this test's hook goes with it)
    clients._cached.remove(counter)


def test_the_layers_caches_are_all_in_the_registry():
    # The settings, the key ring and the clients: none kept outside reset()'s reach
    registered = set(map(id, [*clients._cached, *clients._from_environment]))
    for kept in (settings.database_settings, settings.ai_settings, keys.key_ring, clients.s3, clients.stepfunctions):
        assert id(kept) in registered


def test_importing_the_registry_loads_no_sdk():
    # A function that never calls AWS must not pay for boto3 (or Gemini's SDK) at its cold start
    code = (
        "import sys, imagify.clients, imagify.settings, imagify.db\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'boto3', 'botocore', 'google'}))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
