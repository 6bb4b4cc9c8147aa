"""template.yaml is valid CloudFormation, and every function in it has its code and its sample events."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file
from cfnlint.decode import decode

ROOT = Path(__file__).resolve().parents[2]


def _template() -> dict[str, Any]:
    template, problems = decode(str(ROOT / "template.yaml"))
    assert not problems, problems
    return dict(template)


def _functions() -> dict[str, dict[str, Any]]:
    resources = _template()["Resources"]
    return {
        name: resource["Properties"]
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def test_cfn_lint_is_clean():
    problems = lint_file(ROOT / "template.yaml")
    assert problems == [], "\n".join(str(p) for p in problems)


@pytest.mark.parametrize("logical_id", sorted(_functions()))
def test_every_function_has_a_handler_and_an_event(logical_id: str):
    properties = _functions()[logical_id]
    handler = properties.get("Handler") or _template()["Globals"]["Function"]["Handler"]
    module, function = handler.rsplit(".", 1)
    code = ROOT / properties["CodeUri"]

    source = code / f"{module.replace('.', '/')}.py"
    assert source.is_file(), f"{logical_id}: no {source.relative_to(ROOT)}"
    tree = ast.parse(source.read_text())
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)} | {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert function in defined, f"{logical_id}: {source.name} defines no {function}"
    events = sorted((ROOT / "events" / code.name).glob("*.json"))
    assert events, f"{logical_id}: no sample event under events/{code.name}/"


def test_every_function_has_the_parameters_and_secrets_extension_of_its_region_and_snapstart():
    template = _template()
    function_globals = template["Globals"]["Function"]
    # The region's layer from the mapping, unless the deployment names one
    [extension] = function_globals["Layers"][1:]
    assert extension == {
        "Fn::If": [
            "HasOwnExtensionLayer",
            {"Ref": "ParamsAndSecretsLayerArn"},
            {"Fn::FindInMap": ["ParamsAndSecretsExtension", {"Ref": "AWS::Region"}, "Arn"]},
        ]
    }
    for region, entry in template["Mappings"]["ParamsAndSecretsExtension"].items():
        assert entry["Arn"].startswith(f"arn:aws:lambda:{region}:"), region
        assert ":layer:AWS-Parameters-and-Secrets-Lambda-Extension:" in entry["Arn"], region
    assert "us-east-1" in template["Mappings"]["ParamsAndSecretsExtension"]
    # SnapStart on a published version, invoked through its alias by the API, the state machine and the schedule
    assert function_globals["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert function_globals["AutoPublishAlias"] == "live"
    substitutions = template["Resources"]["GenerationStateMachine"]["Properties"]["DefinitionSubstitutions"]
    assert all(value == {"Ref": f"{value['Ref'].split('.')[0]}.Alias"} for value in substitutions.values())
    authorizer = template["Resources"]["ImagifyApi"]["Properties"]["Auth"]["Authorizers"]["TokenAuthorizer"]
    assert authorizer["FunctionArn"] == {"Ref": "AuthorizerFunction.Alias"}


def test_functions_use_the_shared_layer_and_python_3_13():
    template = _template()
    function_globals = template["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.13"
    assert function_globals["Layers"][0] == {"Ref": "CommonLayer"}
    layer = template["Resources"]["CommonLayer"]
    assert layer["Metadata"]["BuildMethod"] == "python3.13"
    assert (ROOT / layer["Properties"]["ContentUri"] / "imagify" / "__init__.py").is_file()
    assert (ROOT / layer["Properties"]["ContentUri"] / "requirements.txt").is_file()


BROAD_MANAGED_POLICIES = {"AdministratorAccess", "PowerUserAccess", "AmazonS3FullAccess", "CloudWatchLogsFullAccess"}


def _statements(policies: list[Any]) -> list[dict[str, Any]]:
    found = []
    for policy in policies:
        if isinstance(policy, dict) and "Statement" in policy:
            found += policy["Statement"]
    return found


@pytest.mark.parametrize("logical_id", sorted(_functions()))
def test_functions_get_only_narrow_permissions(logical_id: str):
    policies = _functions()[logical_id].get("Policies", [])
    assert not BROAD_MANAGED_POLICIES & {p for p in policies if isinstance(p, str)}
    for statement in _statements(policies):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert statement["Effect"] == "Allow"
        assert all(not a.endswith(":*") and a != "*" for a in actions), actions
        assert statement["Resource"] != "*", f"{logical_id}: {actions} on every resource"


def test_secrets_never_sit_in_the_configuration():
    template = _template()
    variables = set(template["Globals"]["Function"]["Environment"]["Variables"])
    for properties in _functions().values():
        variables |= set(properties.get("Environment", {}).get("Variables", {}))
    for name in variables:
        assert not any(word in name for word in ("PASSWORD", "API_KEY", "SECRET_KEY")) or name.endswith("_ID"), name
    assert "DATABASE_URL" not in variables
    assert "JWT_KEYS" not in variables


def test_the_gemini_function_caps_spend_with_reserved_concurrency():
    generate = _functions()["GenerationGenerateFunction"]
    assert generate["ReservedConcurrentExecutions"] == {"Ref": "GeminiMaxConcurrency"}


def test_a_failing_authorizer_is_a_503_with_retry_after_and_its_cache_window_is_short():
    template = _template()
    # The window in which a logged-out token still works is the authorizer cache: short, and documented
    assert template["Parameters"]["AuthorizerCacheTtl"]["Default"] <= 10
    responses = template["Resources"]["ImagifyApi"]["Properties"]["GatewayResponses"]
    for kind in ("AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE"):
        response = responses[kind]
        assert response["StatusCode"] == 503
        assert response["ResponseParameters"]["Headers"]["Retry-After"] == "'2'"
        assert '"code":"service_unavailable"' in response["ResponseTemplates"]["application/json"]
