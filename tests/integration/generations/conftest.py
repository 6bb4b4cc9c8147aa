"""The generation-flow fixtures (see fixtures.py), for every test in this directory."""

from tests.integration.generations.fixtures import (  # noqa: F401
    flow_checks,
    gemini,
    other_user,
    parked,
    real_state_machine,
    sfn,
    task_functions,
    tasks,
    user,
)
