"""Each function declares the settings it needs (``require(...)`` at the top of its app.py), the template gives
it exactly their variables, and its cold start checks them: with its own variables alone it initialises, and
without any one of them it fails, naming the variable."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.cfn import load_yaml
from devstack.environment import reset_application_caches
from devstack.runtime import load_handler
from devstack.template import Function, load
from imagify import settings
from tests.support.settings import groups

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load(ROOT / "template.yaml")
FUNCTIONS = sorted(TEMPLATE.functions)
# What every function gets from the template's Globals: the stage, Powertools' logging and metrics, and the
# configuration of the Parameters and Secrets extension (a layer of every function; imagify.secrets asks it).
EXTENSION = {
    "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT",
    "PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED",
    "SSM_PARAMETER_STORE_TTL",
    "SECRETS_MANAGER_TTL",
    "PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL",
}
EVERY_FUNCTION = {
    "STAGE",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
    *EXTENSION,
}
IN_LAMBDA = "AWS_LAMBDA_FUNCTION_NAME"


def _every_setting_variable() -> set[str]:
    """Every variable a settings group reads: its fields' names, upper case."""
    return {name.upper() for group in groups() for name in group.model_fields}


def declared(function: Function) -> list[type[settings.Settings]]:
    """The groups named by the module-level ``require(...)`` of the function's app.py (read, not run)."""
    tree = ast.parse((function.code_uri / "app.py").read_text())
    calls = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "require"
    ]
    assert len(calls) == 1, f"{function.logical_id}: app.py should call require(...) once, at the top"
    return [getattr(settings, arg.id) for arg in calls[0].args if isinstance(arg, ast.Name)]


def from_template(function: Function) -> set[str]:
    return {name for group in declared(function) for name in group.from_template}


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No variable any settings group reads (whatever the shell or another test set), caches forgotten."""
    for name in _every_setting_variable() | EVERY_FUNCTION | {IN_LAMBDA}:
        monkeypatch.delenv(name, raising=False)
    reset_application_caches()
    yield monkeypatch
    monkeypatch.undo()
    reset_application_caches()


def _as_in_lambda(monkeypatch: pytest.MonkeyPatch, function: Function, *, without: str | None = None) -> None:
    for name in _every_setting_variable():
        monkeypatch.delenv(name, raising=False)
    for name, value in function.environment.items():
        if name != without:
            monkeypatch.setenv(name, value)
    monkeypatch.setenv(IN_LAMBDA, function.name)
    reset_application_caches()


def test_globals_give_every_function_only_what_every_function_needs():
    globals_ = load_yaml(ROOT / "template.yaml")["Globals"]["Function"]

    assert set(globals_["Environment"]["Variables"]) == EVERY_FUNCTION


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_a_function_gets_exactly_the_variables_of_the_settings_it_requires(logical_id: str):
    function = TEMPLATE.functions[logical_id]

    assert set(function.environment) == EVERY_FUNCTION | from_template(function)


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_a_function_initialises_with_its_own_variables_and_fails_without_any_one(
    logical_id: str, bare_environment: pytest.MonkeyPatch
):
    function = TEMPLATE.functions[logical_id]
    monkeypatch = bare_environment

    _as_in_lambda(monkeypatch, function)
    assert callable(load_handler(function))

    for missing in sorted(from_template(function)):
        _as_in_lambda(monkeypatch, function, without=missing)
        with pytest.raises(settings.SettingsError) as refused:
            load_handler(function)
        assert f"{missing} is not set" in str(refused.value), str(refused.value)
        assert function.name in str(refused.value)


def test_an_invalid_value_fails_the_cold_start_naming_the_variable(bare_environment: pytest.MonkeyPatch):
    function = TEMPLATE.functions["GenerationGenerateFunction"]
    _as_in_lambda(bare_environment, function)
    bare_environment.setenv("DB_CONNECT_TIMEOUT_S", "0")
    bare_environment.setenv("GEMINI_TIMEOUT_S", "soon")

    with pytest.raises(settings.SettingsError) as refused:
        load_handler(function)

    assert "DB_CONNECT_TIMEOUT_S: Input should be greater than or equal to 1" in str(refused.value)
    assert "GEMINI_TIMEOUT_S: Input should be a valid number" in str(refused.value)


def test_outside_lambda_a_missing_variable_takes_its_local_default(bare_environment: pytest.MonkeyPatch):
    function = TEMPLATE.functions["AuthOAuthFunction"]

    assert callable(load_handler(function))
    assert settings.TokenSettings().jwt_issuer == "https://api.imagify.app"


def test_a_stand_in_satisfies_the_variable_it_replaces(bare_environment: pytest.MonkeyPatch):
    function = TEMPLATE.functions["AuthorizerFunction"]
    _as_in_lambda(bare_environment, function, without="DATABASE_URL_PARAMETER")
    bare_environment.setenv("DATABASE_URL", "postgresql://localhost/imagify")

    assert callable(load_handler(function))


def test_every_variable_the_template_sets_belongs_to_one_settings_group():
    owners: dict[str, list[str]] = {}
    for group in groups():
        for name in group.__dict__.get("from_template", {}):
            if any(name in base.from_template for base in group.__mro__[1:] if issubclass(base, settings.Settings)):
                continue  # a composite (IdentitySettings, AiSettings, ...) repeats its parts' variables
            owners.setdefault(name, []).append(group.__name__)
    given = {name for function in TEMPLATE.functions.values() for name in function.environment} - EVERY_FUNCTION

    assert given <= owners.keys()
    assert {name: groups for name, groups in owners.items() if len(groups) > 1} == {}
