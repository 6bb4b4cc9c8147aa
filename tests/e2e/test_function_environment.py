"""A function's declared settings cover what its code uses: every sample event gets its expected outcome with
only the variables the template gives that function (the local stack's shared environment has every
function's). A setting read but not declared would fall back to its local default (another bucket, no state
machine, no signing keys) and change the outcome."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devstack.environment import reset_application_caches
from tests.e2e.test_sample_events import (
    EVENTS,
    EXPECTED,
    _function_of,
    demo_user,  # noqa: F401 - the fixture, used by name
)
from tests.support.settings import groups


def _variables_of_others(own: set[str]) -> set[str]:
    """The variables (and their local stand-ins) of every settings group the function is not given."""
    others: set[str] = set()
    for group in groups():
        for name, stand_in in group.from_template.items():
            if name not in own:
                others |= {name, stand_in or name}
    return others


@pytest.mark.usefixtures("demo_user")
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_the_event_gets_its_outcome_with_only_its_functions_variables(case: str, local_stack: Any):
    directory, name = case.split("/")
    event = json.loads((EVENTS / directory / f"{name}.json").read_text())
    function = local_stack.template.function(_function_of(local_stack.template, directory))
    expected = EXPECTED[case]

    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("ADVISOR_PROVIDER", "offline")
        environment.setenv("IMAGE_PROVIDER", "offline")
        for variable in _variables_of_others(set(function.environment)):
            environment.delenv(variable, raising=False)
        reset_application_caches()
        try:
            if expected in ("Unauthorized", "GenerationGone"):
                with pytest.raises(Exception, match=r"Unauthorized|generation 2222") as raised:
                    local_stack.runtime.invoke(function.logical_id, event)
                result: Any = f"{type(raised.value).__name__}: {raised.value}"
            else:
                result = local_stack.runtime.invoke(function.logical_id, event)
        finally:
            environment.undo()
            reset_application_caches()

    if isinstance(expected, int):
        assert result["statusCode"] == expected, result.get("body")
    elif expected == "result":
        assert isinstance(result, dict), result
    else:
        assert expected in result
