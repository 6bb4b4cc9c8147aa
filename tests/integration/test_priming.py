"""SnapStart's invoke priming (``web.api_handler``): before the snapshot a function sends each of its routes a
request, offline, and after a restore its first real request is served as any other."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from uuid import UUID

import pytest

from devstack import events
from devstack.context import LambdaContext
from devstack.runtime import load_handler
from devstack.template import load
from imagify import db
from tests.support.snapstart import Hooks, snap_start_init
from tests.support.sql import Sql, scalar

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def snapstart(monkeypatch: pytest.MonkeyPatch) -> Hooks:
    """An init as SnapStart runs it, with the runtime's snapshot_restore_py stood in for."""
    return snap_start_init(monkeypatch)


@pytest.mark.parametrize(
    ("logical_id", "method", "path", "body", "status"),
    [
        ("MeGetFunction", "GET", "/me", None, 200),
        ("CollectionsCreateFunction", "POST", "/wardrobe/collections", {"name": "Summer"}, 201),
        ("WebhookPatchFunction", "PATCH", f"/webhooks/{UUID(int=1)}", {"enabled": False}, 404),
    ],
)
def test_before_the_snapshot_each_route_is_requested_offline_and_the_first_request_after_a_restore_is_served(
    logical_id: str,
    method: str,
    path: str,
    body: dict[str, object] | None,
    status: int,
    snapstart: Hooks,
    database: str,
    sql: Sql,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    from aws_lambda_powertools.logging import logger as powertools_logger

    # Given a function initialised as SnapStart does (a fresh module, as in a new version's init)
    function = load(ROOT / "template.yaml").function(logical_id)
    monkeypatch.setitem(sys.modules, f"devstack_fn_{logical_id}", types.ModuleType("placeholder"))
    monkeypatch.setattr(powertools_logger, "is_cold_start", True)
    handler = load_handler(function)
    app = sys.modules[f"devstack_fn_{logical_id}"].app
    routes = app._static_routes + app._dynamic_routes
    assert routes and not any(route._middleware_stack_built for route in routes)
    backends = scalar(sql, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")

    # When Lambda takes the snapshot
    for hook in reversed(snapstart["before"]):  # (Lambda's order: the reverse of registration)
        hook()

    # Then every route has had its first call (Powertools built what it builds then), and nothing left the
    # process: no connection, nothing written to the logs, the cold start still to come
    assert all(route._middleware_stack_built for route in routes)
    assert db._local.connection is None
    assert scalar(sql, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()") == backends
    assert capsys.readouterr().out == ""
    assert powertools_logger.is_cold_start

    # And when an environment is restored from it and gets its first request
    for hook in snapstart["after"]:
        hook()
    user_id = scalar(sql, "INSERT INTO users (email, name) VALUES ('primed@example.com', 'Primed') RETURNING id")
    caller = {"userId": str(user_id), "role": "user", "plan": "free"}
    answer = handler(events.api_event(method, path, body=body, authorizer=caller), LambdaContext(function.name))

    # Then it is answered as any request is, and it was the cold start
    assert answer["statusCode"] == status, answer["body"]
    if status == 200:
        assert json.loads(answer["body"])["email"] == "primed@example.com"
    assert not powertools_logger.is_cold_start
