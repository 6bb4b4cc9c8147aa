"""The advisor's suite: a local Converse server, the app's advisor pointed at it, and SQL to look at rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.http import ScriptedServer, scripted_server
from tests.support.env import setenv

MODEL_ID = "us.meta.llama4-maverick-17b-instruct-v1:0"


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
def bedrock_env(api: object, fake_bedrock: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> ScriptedServer:
    """``POST /advisor`` through the app's own boto3 client (``default_client``), pointed at the fake."""
    setenv(
        monkeypatch,
        ADVISOR_PROVIDER="bedrock",
        BEDROCK_MODEL_ID=MODEL_ID,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME=fake_bedrock.url,
    )
    return fake_bedrock


@pytest.fixture
def offline_advisor(api: object, monkeypatch: pytest.MonkeyPatch) -> None:
    setenv(monkeypatch, ADVISOR_PROVIDER="offline")


@pytest.fixture
def advisor_cost(api: object, monkeypatch: pytest.MonkeyPatch) -> int:
    setenv(monkeypatch, ADVISOR_COST="2")
    return 2
