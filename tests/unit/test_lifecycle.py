"""SnapStart's hooks (``imagify.lifecycle``): registered only when the init is SnapStart's, the refresh once."""

from __future__ import annotations

import random
import subprocess
import sys
import types

import pytest

from imagify import clients, lifecycle
from tests.support.env import setenv
from tests.support.snapstart import STAND_IN_SCRIPT, Hooks, stand_in_runtime


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Hooks:
    """The runtime's snapshot_restore_py, stood in for: what was registered with it."""
    return stand_in_runtime(monkeypatch)


def test_without_snapstart_nothing_is_primed(runtime, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")

    lifecycle.prime(lambda: None)

    assert runtime == {"before": [], "after": []}


def test_under_snapstart_each_priming_runs_before_the_snapshot_and_one_refresh_after_a_restore(
    runtime, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    first, second = (lambda: "models"), (lambda: "imports")

    lifecycle.prime(first)
    lifecycle.prime(second)

    # (Lambda runs the before-snapshot hooks in the reverse order of registration: settling the collector, last)
    assert runtime == {"before": [lifecycle.settle, first, second], "after": [lifecycle.refresh]}


def test_the_last_step_before_the_snapshot_collects_and_freezes_what_init_and_priming_made():
    # In a fresh interpreter initialised as SnapStart does, a function whose priming makes an object and leaves a
    # cycle of garbage
    probe = (
        STAND_IN_SCRIPT
        + """
import gc, os
os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start"
from imagify import lifecycle
made = []
def work():
    cycle = []
    cycle.append(cycle)
    made.append(object.__new__(type("Made", (), {})))
lifecycle.prime(work)
for hook in reversed(hooks["before"]):
    hook()
tracked = {id(o) for o in gc.get_objects()}
print(gc.get_freeze_count() > 0, id(made[0]) in tracked, gc.get_count()[0] < 50, gc.garbage == [])
"""
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    # Then after the hooks what priming made is frozen (no collection walks it again), and the collector's count
    # of new objects starts near zero for the first request
    assert done.stdout.split() == ["True", "False", "True", "True"]


def test_a_restore_drops_what_the_snapshot_cached_and_reseeds_random(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(lifecycle, "_reopen", [])  # (the database's and the keys' reopening: tests of their own)
    made: list[int] = []

    @clients.cached
    def thing() -> int:
        made.append(1)
        return len(made)

    assert thing() == thing() == 1
    random.seed(7)
    before = random.random()

    random.seed(7)
    lifecycle.refresh()

    assert thing() == 2  # made again, after the restore
    assert random.random() != before  # a sequence of its own, not the snapshot's


def test_a_restore_keeps_the_settings_which_every_environment_of_a_version_shares(monkeypatch: pytest.MonkeyPatch):
    from imagify.settings import webhook_settings

    monkeypatch.setattr(lifecycle, "_reopen", [])
    setenv(monkeypatch, WEBHOOK_MAX_ENDPOINTS="7")
    read = webhook_settings()

    lifecycle.refresh()

    assert webhook_settings() is read  # not read from the environment again by the first request
    clients.reset()  # (what a test does after changing the variables)
    assert webhook_settings() is not read


def test_a_restore_makes_again_what_the_first_request_needs_and_a_failure_is_left_for_it(
    monkeypatch: pytest.MonkeyPatch,
):
    made: list[str] = []

    def broken() -> None:
        raise ConnectionError("the database is waking up")

    monkeypatch.setattr(lifecycle, "_reopen", [])
    lifecycle.after_restore(broken)
    lifecycle.after_restore(lambda: made.append("keys"))

    lifecycle.refresh()

    assert made == ["keys"]


def test_every_loaded_model_of_the_layer_can_be_built_before_the_snapshot():
    import imagify.models.generations  # noqa: F401

    assert lifecycle.build_models() > 20


def test_a_page_of_a_layer_model_made_where_a_route_names_it_is_built_too(monkeypatch: pytest.MonkeyPatch):
    # Given Page[Delivery] made at the top of a function's module (its return annotation), which pydantic gives
    # that module's name
    function_module = types.ModuleType("app")
    monkeypatch.setitem(sys.modules, "app", function_module)
    exec(  # noqa: S102 - a module's top level, as a function's app.py runs it
        "from imagify.models.common import Page\nfrom imagify.models.webhooks import Delivery\npage = Page[Delivery]",
        function_module.__dict__,
    )
    page = function_module.page
    # (or, made before by a function the session loaded, that function's)
    assert not str(getattr(page, "__module__", "")).startswith("imagify.")

    # When the models are built before the snapshot
    lifecycle.build_models()

    # Then it is built too
    assert getattr(page, "__pydantic_complete__", False)


def test_before_the_snapshot_python_has_answered_whether_each_model_and_value_type_is_a_mapping():
    from collections.abc import Mapping

    from pydantic import BaseModel

    # Given a model of the layer that nothing has checked yet
    class Fresh(BaseModel):
        __module__ = "imagify.models.fresh"
        name: str

    assert Fresh not in _negative_answers(Mapping)

    # When the models are built before the snapshot
    lifecycle.build_models()

    # Then Python's answer for it, and for the value types, is cached: a request's first check walks nothing
    assert {Fresh, *lifecycle.VALUE_TYPES} <= _negative_answers(Mapping)


def test_the_database_module_has_psycopgs_question_of_each_statement_answered_before_the_snapshot():
    # psycopg asks of every statement whether it is a sql.Composable (an ABC); ours are str or bytes. In a fresh
    # interpreter (an init), with the runtime's hooks stood in for, as SnapStart initialises a function:
    probe = (
        STAND_IN_SCRIPT
        + """
import os, _abc
os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start"
import imagify.db
from psycopg.sql import Composable
answered = lambda: {ref() for ref in _abc._get_dump(Composable)[2]} >= {str, bytes}
before = answered()
for hook in reversed(hooks["before"]):
    hook()
print(before, answered())
"""
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert done.stdout.split() == ["False", "True"]  # not answered by the import; answered before the snapshot


def _negative_answers(abc: type) -> set[type]:
    import _abc  # type: ignore[import-not-found]  # (CPython's ABC machinery: its caches)

    negative_cache = _abc._get_dump(abc)[2]
    return {ref() for ref in negative_cache}


def test_offline_nothing_reaches_the_database_a_secret_aws_dns_a_metric_or_the_logs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from aws_lambda_powertools.logging import logger as powertools_logger

    from imagify import clients, db, observability, secrets
    from imagify.ai.advice import bedrock
    from imagify.webhooks import transport

    # Given a database and a Parameters and Secrets extension to ask (the refusals below come before any socket:
    # these tests may open none, and an attempt would fail otherwise)
    setenv(
        monkeypatch,
        DATABASE_URL="postgresql://nobody@127.0.0.1:9/nothing",
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="9",
        AWS_SESSION_TOKEN="token",
    )
    monkeypatch.setattr(powertools_logger, "is_cold_start", True)  # (a new environment's, whatever ran before)

    # When a priming request runs offline and tries each
    with lifecycle.offline():
        for leaving in (
            db.connection,
            lambda: secrets.parameter("/imagify/test/database-url"),
            clients.s3,
            clients.s3_presigner,
            clients.stepfunctions,
            clients.sesv2,
            bedrock.default_client,
            lambda: transport.addresses("https://hooks.example.com/imagify"),
        ):
            with pytest.raises(lifecycle.Offline, match="while priming"):
                leaving()
        observability.count("GenerationsRequested", mode="text")
        observability.logger.error("a priming request's error")
        powertools_logger._is_cold_start()  # (what its request's logging does)

    # Then nothing was written or logged, and the first real request is still the cold start
    assert capsys.readouterr().out == ""
    assert powertools_logger.is_cold_start
    assert not lifecycle.is_offline()
    observability.count("GenerationsRequested", mode="text")
    assert '"GenerationsRequested"' in capsys.readouterr().out
