"""CloudFormation YAML and intrinsic functions, as far as a local stack needs them.

The loader turns short tags (``!Ref X``, ``!GetAtt A.B``, ``!Sub ...``) into their long form
(``{"Ref": "X"}``, ``{"Fn::GetAtt": ["A", "B"]}``), so the rest of the code only sees plain data.
:class:`Resolver` then evaluates intrinsics against parameter values, conditions and the physical names
the local stack gives each resource.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account: ARNs built here match the ones moto hands out


class TemplateError(Exception):
    """The template uses something the local stack cannot evaluate."""


class _NoValue:
    """``AWS::NoValue``: removes the property or list item it stands in."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

_SHORT_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "Base64",
            "Cidr",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "ImportValue",
            "Join",
            "Select",
            "Split",
            "Sub",
            "Transform",
            "And",
            "Equals",
            "If",
            "Not",
            "Or",
            "ToJsonString",
            "Length",
        )
    },
}


class _Loader(yaml.SafeLoader):
    pass


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    key = _SHORT_TAGS.get(suffix)
    if key is None:
        raise TemplateError(f"unknown tag !{suffix} at line {node.start_mark.line + 1}")
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    if key == "Fn::GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {key: value}


_Loader.add_multi_constructor("!", _construct_tag)


def load_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except (OSError, yaml.YAMLError) as error:
        raise TemplateError(f"cannot read {path}: {error}") from error
    if not isinstance(document, dict):
        raise TemplateError(f"{path} is not a template (top level is not a mapping)")
    return document


def is_intrinsic(value: object) -> bool:
    return (
        isinstance(value, dict)
        and len(value) == 1
        and next(iter(value)) in {"Ref", "Condition", *(v for v in _SHORT_TAGS.values())}
    )


def _parameter_value(name: str, spec: Mapping[str, Any], override: str | None) -> Any:
    if override is not None:
        value: Any = override
    elif "Default" in spec:
        value = spec["Default"]
    else:
        raise TemplateError(f"parameter {name} has no Default; pass --parameter-overrides {name}=...")
    if str(spec.get("Type", "String")).startswith(("CommaDelimitedList", "List<")):
        return [part.strip() for part in str(value).split(",")]
    return value if isinstance(value, str) else str(value)


class Resolver:
    """Evaluates intrinsic functions. ``names`` gives each resource's ``Ref`` and ``GetAtt`` values."""

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, str],
        *,
        stack_name: str,
        refs: Callable[[str], str],
        attributes: Callable[[str, str], str],
    ) -> None:
        self.template = template
        self.stack_name = stack_name
        self._refs = refs
        self._attributes = attributes
        declared: Mapping[str, Any] = template.get("Parameters") or {}
        unknown = set(parameters) - set(declared)
        if unknown:
            raise TemplateError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
        self.parameters: dict[str, Any] = {
            name: _parameter_value(name, spec or {}, parameters.get(name)) for name, spec in declared.items()
        }
        self.pseudo: dict[str, Any] = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{stack_name}/devstack",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        self._conditions: dict[str, bool] = {}

    # -- conditions -----------------------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            spec = (self.template.get("Conditions") or {}).get(name)
            if spec is None:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = bool(self.resolve(spec))
        return self._conditions[name]

    def resource_enabled(self, resource: Mapping[str, Any]) -> bool:
        name = resource.get("Condition")
        return name is None or self.condition(str(name))

    # -- evaluation -----------------------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if is_intrinsic(value):
            (name, argument), *_ = value.items()
            return self._call(name, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def resolve_str(self, value: Any) -> str:
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return "true" if resolved else "false"
        if isinstance(resolved, list | dict):
            raise TemplateError(f"expected a string, got {resolved!r}")
        return str(resolved)

    def ref(self, name: str) -> Any:
        if name.endswith(".Alias"):
            # SAM's alias of a function with AutoPublishAlias. The local stack publishes no versions: an
            # alias is its function.
            return self._attributes(name.removesuffix(".Alias"), "Arn")
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self._refs(name)

    def get_att(self, logical_id: str, attribute: str) -> str:
        return self._attributes(logical_id, attribute)

    def _call(self, name: str, arg: Any) -> Any:
        handler = getattr(self, "_fn_" + name.removeprefix("Fn::"), None)
        if handler is None:
            raise TemplateError(f"{name} is not supported by the local stack")
        return handler(arg)

    def _fn_Ref(self, arg: Any) -> Any:  # noqa: N802 - named after the intrinsic
        return self.ref(self.resolve_str(arg))

    def _fn_Condition(self, arg: Any) -> bool:  # noqa: N802
        return self.condition(self.resolve_str(arg))

    def _fn_GetAtt(self, arg: Any) -> str:  # noqa: N802
        parts = self.resolve(arg)
        if isinstance(parts, str):
            parts = parts.split(".", 1)
        logical_id, attribute = parts
        return self.get_att(str(logical_id), str(attribute))

    def _fn_Sub(self, arg: Any) -> str:  # noqa: N802
        if isinstance(arg, list):
            text, variables = arg[0], {k: self.resolve(v) for k, v in (arg[1] or {}).items()}
        else:
            text, variables = arg, {}

        def substitute(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("!"):
                return "${" + expression[1:] + "}"
            if expression in variables:
                return str(variables[expression])
            if "." in expression:
                logical_id, attribute = expression.split(".", 1)
                return self.get_att(logical_id, attribute)
            value = self.ref(expression)
            return ",".join(value) if isinstance(value, list) else str(value)

        return re.sub(r"\$\{([^}]+)\}", substitute, self.resolve_str(text))

    def _fn_Join(self, arg: Any) -> str:  # noqa: N802
        delimiter, items = arg
        values = self.resolve(items)
        return str(delimiter).join(self.resolve_str(v) for v in values)

    def _fn_Select(self, arg: Any) -> Any:  # noqa: N802
        index, items = arg
        values = self.resolve(items)
        return values[int(self.resolve(index))]

    def _fn_Split(self, arg: Any) -> list[str]:  # noqa: N802
        delimiter, text = arg
        return self.resolve_str(text).split(self.resolve_str(delimiter))

    def _fn_If(self, arg: Any) -> Any:  # noqa: N802
        name, when_true, when_false = arg
        return self.resolve(when_true if self.condition(str(name)) else when_false)

    def _fn_Equals(self, arg: Any) -> bool:  # noqa: N802
        left, right = (self.resolve(v) for v in arg)
        return bool(str(left) == str(right))

    def _fn_Not(self, arg: Any) -> bool:  # noqa: N802
        return not self.resolve(arg[0])

    def _fn_And(self, arg: Any) -> bool:  # noqa: N802
        return all(self.resolve(v) for v in arg)

    def _fn_Or(self, arg: Any) -> bool:  # noqa: N802
        return any(self.resolve(v) for v in arg)

    def _fn_FindInMap(self, arg: Any) -> Any:  # noqa: N802
        map_name, top, second = (self.resolve_str(v) for v in arg[:3])
        try:
            return self.template["Mappings"][map_name][top][second]
        except KeyError as error:
            raise TemplateError(f"Fn::FindInMap: no {map_name}.{top}.{second}") from error

    def _fn_Base64(self, arg: Any) -> str:  # noqa: N802
        return base64.b64encode(self.resolve_str(arg).encode()).decode()

    def _fn_GetAZs(self, arg: Any) -> list[str]:  # noqa: N802
        return [f"{REGION}{zone}" for zone in "abc"]

    def _fn_ToJsonString(self, arg: Any) -> str:  # noqa: N802
        return json.dumps(self.resolve(arg), separators=(",", ":"))

    def _fn_Length(self, arg: Any) -> int:  # noqa: N802
        return len(self.resolve(arg))
