"""The advisor's suite: a local Converse server, the app's advisor pointed at it, and SQL to look at rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from imagify import settings
from imagify.ai.advice import bedrock
from tests.fakes.http import ScriptedServer, scripted_server

MODEL_ID = "us.meta.llama4-maverick-17b-instruct-v1:0"


def clear_advisor_caches() -> None:
    settings.ai_settings.cache_clear()
    settings.pricing_settings.cache_clear()
    bedrock.default_client.cache_clear()


@pytest.fixture(scope="package")
def converse_server() -> Iterator[ScriptedServer]:
    with scripted_server() as server:
        yield server


@pytest.fixture
def fake_bedrock(converse_server: ScriptedServer) -> ScriptedServer:
    """The package's Converse server, with nothing scripted and nothing recorded."""
    converse_server.replies.clear()
    converse_server.last = None
    converse_server.requests.clear()
    return converse_server


@pytest.fixture
def bedrock_env(api: object, fake_bedrock: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    """``POST /advisor`` through the app's own boto3 client (``default_client``), pointed at the fake."""
    monkeypatch.setenv("ADVISOR_PROVIDER", "bedrock")
    monkeypatch.setenv("BEDROCK_MODEL_ID", MODEL_ID)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake_bedrock.url)
    clear_advisor_caches()
    yield fake_bedrock
    clear_advisor_caches()  # (monkeypatch restores the variables next; the caches re-read them then)


@pytest.fixture
def offline_advisor(api: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ADVISOR_PROVIDER", "offline")
    clear_advisor_caches()
    yield
    clear_advisor_caches()


@pytest.fixture
def advisor_cost(api: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv("ADVISOR_COST", "2")
    clear_advisor_caches()
    yield 2
    clear_advisor_caches()
