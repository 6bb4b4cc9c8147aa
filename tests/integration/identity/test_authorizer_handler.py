"""The authorizer function (functions/authorizer/app.py) as API Gateway calls it: the policy and context it answers."""

from __future__ import annotations

import re
import sys
import types
from typing import Any

import pytest

from devstack import events
from devstack.authorizer import evaluate_policy
from devstack.context import LambdaContext
from devstack.runtime import Handler, load_handler
from devstack.template import Template
from imagify import clients, db
from tests.support.identity import Account
from tests.support.snapstart import snap_start_init

API_ID, STAGE = "abc123defg", "dev"


def _event(headers: dict[str, str], method: str = "GET", path: str = "/me") -> dict[str, Any]:
    proxy = events.api_event(method, path, headers=headers, api_id=API_ID, stage=STAGE)
    return events.request_authorizer_event(proxy, events.method_arn(method, path, api_id=API_ID, stage=STAGE))


def _call(authorizer: Handler, headers: dict[str, str], method: str = "GET", path: str = "/me") -> dict[str, Any]:
    answer: dict[str, Any] = authorizer(_event(headers, method, path), LambdaContext("devstack-AuthorizerFunction"))
    return answer


@pytest.mark.parametrize("which", ["access", "session"])
def test_a_valid_token_gets_an_allow_for_every_route_of_the_stage(authorizer: Handler, alice: Account, which: str):
    token = alice.access_token if which == "access" else alice.session_token

    # When the authorizer is asked about GET /me
    answer = _call(authorizer, {"Authorization": f"Bearer {token}"})

    # Then the principal is the user, and the context carries exactly userId, role and plan
    assert answer["principalId"] == str(alice.id)
    assert answer["context"] == {"userId": str(alice.id), "role": "user", "plan": "free"}
    # And the policy allows every method and route of this API's stage (it is cached and reused per token) ...
    policy = answer["policyDocument"]
    assert policy["Version"] == "2012-10-17"
    for method, path in [("GET", "/me"), ("DELETE", "/me"), ("POST", "/admin/users/1/tokens"), ("PATCH", "/x/y/z")]:
        assert evaluate_policy(policy, events.method_arn(method, path, api_id=API_ID, stage=STAGE)) == "Allow"
    # ... and nothing of another stage or another API
    assert evaluate_policy(policy, events.method_arn("GET", "/me", api_id=API_ID, stage="prod")) is None
    assert evaluate_policy(policy, events.method_arn("GET", "/me", api_id="otherapi01", stage=STAGE)) is None
    assert all(statement["Effect"] == "Allow" for statement in policy["Statement"])


def test_an_admins_context_says_admin(authorizer: Handler, admin: Account):
    answer = _call(authorizer, {"Authorization": f"Bearer {admin.access_token}"}, "GET", "/admin/stats")

    assert answer["context"] == {"userId": str(admin.id), "role": "admin", "plan": "free"}


def test_the_header_name_and_the_scheme_are_case_insensitive(authorizer: Handler, alice: Account):
    answer = _call(authorizer, {"authorization": f"bearer {alice.access_token}"})

    assert answer["context"]["userId"] == str(alice.id)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": ""}, id="empty"),
        pytest.param({"Authorization": "Bearer"}, id="scheme-only"),
        pytest.param({"Authorization": "Bearer   "}, id="blank-token"),
        pytest.param({"Authorization": "Basic YWxpY2U6cGFzc3dvcmQ="}, id="basic-auth"),
        pytest.param({"Authorization": "Bearer garbage"}, id="garbage"),
        pytest.param({"Authorization": "Bearer a.b.c"}, id="jwt-shaped-garbage"),
        pytest.param({"Authorization": "Bearer ims_" + "A" * 43}, id="unknown-session"),
        pytest.param({"Authorization": "Bearer 6f1c2f3e-9d4b-4c55-8d67-0a1b2c3d4e5f"}, id="unknown-auth-js-session"),
        pytest.param({"Authorization": "Bearer " + "x" * 5000}, id="oversized"),
        pytest.param({"X-Api-Key": "whatever"}, id="other-header"),
    ],
)
def test_a_missing_or_invalid_token_raises_unauthorized(
    authorizer: Handler, alice: Account, headers: dict[str, str]
) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$") as raised:
        _call(authorizer, headers)
    # Exactly Exception("Unauthorized"), the one answer API Gateway turns into a 401 (others are 500s)
    assert type(raised.value) is Exception


def test_a_token_without_the_bearer_scheme_is_refused(authorizer: Handler, alice: Account):
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        _call(authorizer, {"Authorization": alice.access_token})


def test_under_snapstart_the_first_request_after_a_restore_finds_its_policy_pattern_compiled(
    app_env: str, alice: Account, template: Template, monkeypatch: pytest.MonkeyPatch
):
    # Given the authorizer initialised as SnapStart does (a fresh module, no connection yet), and the snapshot taken
    clients.reset()
    hooks = snap_start_init(monkeypatch)
    monkeypatch.setitem(sys.modules, "devstack_fn_AuthorizerFunction", types.ModuleType("placeholder"))
    authorizer = load_handler(template.function("AuthorizerFunction"))
    for hook in reversed(hooks["before"]):
        hook()
    assert db._local.connection is None  # (nothing left the process before the snapshot)

    # When an environment restored from it gets its first request, with a live session
    for hook in hooks["after"]:
        hook()
    compiled: list[object] = []
    compiler = re._compiler  # type: ignore[attr-defined]  # (what re.compile calls on a cache miss)
    compile_pattern = compiler.compile

    def spy(pattern: object, flags: int) -> object:
        compiled.append(pattern)
        return compile_pattern(pattern, flags)

    monkeypatch.setattr(compiler, "compile", spy)
    answer = _call(authorizer, {"Authorization": f"Bearer {alice.session_token}"})

    # Then it is allowed, and compiled no pattern (Powertools compiles its route pattern when a policy is first
    # made: that was done before the snapshot)
    assert answer["context"]["userId"] == str(alice.id)
    assert compiled == []
