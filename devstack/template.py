"""What the local stack needs from a SAM template: functions, APIs and their routes, authorizers, state
machines and buckets, with intrinsics resolved and SAM's ``Globals`` applied.

Each resource gets a deterministic physical name (``<stack>-<LogicalId>``, or the name the template sets),
so ``!Ref`` / ``!GetAtt`` in environment variables or substitutions resolve to what the local AWS creates.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from devstack.cfn import ACCOUNT_ID, REGION, Resolver, TemplateError, is_intrinsic, load_yaml

IMPLICIT_API = "ServerlessRestApi"

_FUNCTION_TYPES = {"AWS::Serverless::Function", "AWS::Lambda::Function"}
_API_TYPES = {"AWS::Serverless::Api", "AWS::ApiGateway::RestApi"}
_STATE_MACHINE_TYPES = {"AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"}
_BUCKET_TYPES = {"AWS::S3::Bucket"}
_SECRET_TYPES = {"AWS::SecretsManager::Secret"}


@dataclass(frozen=True)
class ApiEvent:
    """One ``Type: Api`` event of a function: a route on an API."""

    api: str  # logical id of the API (``ServerlessRestApi`` for SAM's implicit one)
    path: str
    method: str  # upper case; ``ANY`` for any method
    authorizer: str | None  # None: the API's default; "NONE": public


@dataclass(frozen=True)
class Function:
    logical_id: str
    name: str
    arn: str
    code_uri: Path
    handler: str
    runtime: str
    timeout: int
    memory_size: int
    environment: Mapping[str, str]
    events: tuple[ApiEvent, ...] = ()


@dataclass(frozen=True)
class Cors:
    allow_origin: str
    allow_methods: str | None = None
    allow_headers: str | None = None
    max_age: str | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class Authorizer:
    name: str
    function_arn: str | None  # None: not a Lambda authorizer (e.g. Cognito), which is not emulated
    payload_type: str  # REQUEST | TOKEN
    headers: tuple[str, ...] = ()
    query_strings: tuple[str, ...] = ()
    stage_variables: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    validation_expression: str | None = None
    reauthorize_every: int = 300

    @property
    def has_identity_sources(self) -> bool:
        return bool(self.headers or self.query_strings or self.stage_variables or self.context)


@dataclass(frozen=True)
class GatewayResponse:
    """A ``GatewayResponses`` entry: what API Gateway answers itself (401, 403, missing route, ...)."""

    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    templates: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Api:
    logical_id: str
    api_id: str
    stage: str
    cors: Cors | None = None
    default_authorizer: str | None = None
    authorizers: Mapping[str, Authorizer] = field(default_factory=dict)
    authorize_cors_preflight: bool = True
    binary_media_types: tuple[str, ...] = ()
    gateway_responses: Mapping[str, GatewayResponse] = field(default_factory=dict)
    stage_variables: Mapping[str, str] | None = None


@dataclass(frozen=True)
class StateMachine:
    logical_id: str
    name: str
    arn: str
    definition: str  # JSON text, substitutions applied
    type: str = "STANDARD"


@dataclass(frozen=True)
class Bucket:
    logical_id: str
    name: str


@dataclass(frozen=True)
class Secret:
    logical_id: str
    name: str
    secret_string: str | None  # SecretString, or None when the value is generated
    generate: Mapping[str, Any] | None = None  # GenerateSecretString


@dataclass(frozen=True)
class Template:
    path: Path
    stack_name: str
    parameters: Mapping[str, Any]
    functions: Mapping[str, Function]
    apis: Mapping[str, Api]
    state_machines: Mapping[str, StateMachine]
    buckets: Mapping[str, Bucket]
    secrets: Mapping[str, Secret] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path.parent

    def function(self, logical_id: str) -> Function:
        try:
            return self.functions[logical_id]
        except KeyError:
            known = ", ".join(sorted(self.functions)) or "none"
            raise TemplateError(f"no function {logical_id} in {self.path.name} (functions: {known})") from None

    def function_by_arn(self, arn: str) -> Function | None:
        return next((f for f in self.functions.values() if f.arn == arn), None)


# -- physical names --------------------------------------------------------------------------------------


def _api_id(stack_name: str, logical_id: str) -> str:
    digest = int(hashlib.sha256(f"{stack_name}/{logical_id}".encode()).hexdigest(), 16)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[(digest >> (6 * i)) % 36] for i in range(10))


def _bucket_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9.-]+", "-", text.lower()).strip("-.")
    return name[:63]


class _Names:
    """``Ref`` and ``GetAtt`` values for every resource: deterministic, and what the local AWS creates."""

    def __init__(self, resources: Mapping[str, Any], stack_name: str) -> None:
        self.resources = resources
        self.stack_name = stack_name
        self.resolver: Resolver | None = None

    def _property(self, logical_id: str, name: str) -> str | None:
        props = (self.resources[logical_id].get("Properties") or {}) if logical_id in self.resources else {}
        if name not in props:
            return None
        assert self.resolver is not None
        return self.resolver.resolve_str(props[name])

    def _type(self, logical_id: str) -> str:
        if logical_id == IMPLICIT_API:
            return "AWS::Serverless::Api"
        if logical_id not in self.resources:
            raise TemplateError(f"!Ref/!GetAtt to unknown resource {logical_id}")
        return str(self.resources[logical_id].get("Type", ""))

    def function_name(self, logical_id: str) -> str:
        return self._property(logical_id, "FunctionName") or f"{self.stack_name}-{logical_id}"

    def function_arn(self, logical_id: str) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name(logical_id)}"

    def state_machine_name(self, logical_id: str) -> str:
        return (
            self._property(logical_id, "Name")
            or self._property(logical_id, "StateMachineName")
            or f"{self.stack_name}-{logical_id}"
        )

    def state_machine_arn(self, logical_id: str) -> str:
        return f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{self.state_machine_name(logical_id)}"

    def bucket_name(self, logical_id: str) -> str:
        return self._property(logical_id, "BucketName") or _bucket_name(f"{self.stack_name}-{logical_id}")

    def api_id(self, logical_id: str) -> str:
        return _api_id(self.stack_name, logical_id)

    def secret_name(self, logical_id: str) -> str:
        return self._property(logical_id, "Name") or f"{self.stack_name}-{logical_id}"

    def ref(self, logical_id: str) -> str:
        kind = self._type(logical_id)
        if kind in _FUNCTION_TYPES:
            return self.function_name(logical_id)
        if kind in _STATE_MACHINE_TYPES:
            return self.state_machine_arn(logical_id)
        if kind in _BUCKET_TYPES:
            return self.bucket_name(logical_id)
        if kind in _API_TYPES:
            return self.api_id(logical_id)
        if kind in _SECRET_TYPES:
            # CloudFormation gives the ARN, but moto's ARNs end in a random suffix; every API takes the name.
            return self.secret_name(logical_id)
        if kind.endswith("::LayerVersion"):
            name = self._property(logical_id, "LayerName") or f"{self.stack_name}-{logical_id}"
            return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:layer:{name}:1"
        return f"{self.stack_name}-{logical_id}"

    def attribute(self, logical_id: str, attribute: str) -> str:
        kind = self._type(logical_id)
        if kind in _FUNCTION_TYPES and attribute == "Arn":
            return self.function_arn(logical_id)
        if kind in _STATE_MACHINE_TYPES and attribute in {"Arn", "Name"}:
            return self.state_machine_arn(logical_id) if attribute == "Arn" else self.state_machine_name(logical_id)
        if kind in _BUCKET_TYPES:
            bucket = self.bucket_name(logical_id)
            values = {
                "Arn": f"arn:aws:s3:::{bucket}",
                "DomainName": f"{bucket}.s3.amazonaws.com",
                "RegionalDomainName": f"{bucket}.s3.{REGION}.amazonaws.com",
                "DualStackDomainName": f"{bucket}.s3.dualstack.{REGION}.amazonaws.com",
                "WebsiteURL": f"http://{bucket}.s3-website-{REGION}.amazonaws.com",
            }
            if attribute in values:
                return values[attribute]
        if kind in _API_TYPES and attribute == "RootResourceId":
            return "root"
        # Anything else (roles, queues, ...) is not created locally: a stable, recognisable placeholder.
        return f"arn:aws:devstack:{REGION}:{ACCOUNT_ID}:{logical_id}/{attribute}"


# -- SAM Globals -----------------------------------------------------------------------------------------


def _merge_globals(globals_: Any, own: Any) -> Any:
    """SAM's rule: maps merge, lists concatenate (globals first), anything else the resource's wins."""
    if isinstance(globals_, dict) and isinstance(own, dict) and not is_intrinsic(globals_) and not is_intrinsic(own):
        merged = dict(globals_)
        for key, value in own.items():
            merged[key] = _merge_globals(globals_[key], value) if key in globals_ else value
        return merged
    if isinstance(globals_, list) and isinstance(own, list):
        return globals_ + own
    return own


def _truthy(value: Any) -> bool:
    """A template boolean, which may arrive as a string (``"false"``) through a parameter."""
    return str(value).strip().lower() == "true"


def _unquote(value: str) -> str:
    """SAM's Cors and gateway-response header values are single-quoted literals: ``"'GET,POST'"``."""
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


# -- building --------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, path: Path, document: dict[str, Any], overrides: Mapping[str, str], stack_name: str):
        self.path = path
        self.root = path.parent
        self.resources: dict[str, Any] = document.get("Resources") or {}
        self.globals: dict[str, Any] = document.get("Globals") or {}
        self.names = _Names(self.resources, stack_name)
        self.resolver = Resolver(
            document, overrides, stack_name=stack_name, refs=self.names.ref, attributes=self.names.attribute
        )
        self.names.resolver = self.resolver
        self.stack_name = stack_name

    def of_types(self, types: set[str]) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.resources.items()
            if resource.get("Type") in types and self.resolver.resource_enabled(resource)
        }

    def properties(self, resource: Mapping[str, Any], globals_key: str | None) -> dict[str, Any]:
        own = resource.get("Properties") or {}
        if globals_key and resource.get("Type", "").startswith("AWS::Serverless::"):
            return dict(_merge_globals(self.globals.get(globals_key) or {}, own))
        return dict(own)

    # -- functions --

    def function(self, logical_id: str, resource: Mapping[str, Any]) -> Function:
        props = self.properties(resource, "Function")
        code_uri = props.get("CodeUri", ".")
        if not isinstance(code_uri, str):
            raise TemplateError(f"{logical_id}: only a local CodeUri can run locally")
        # Resolved as a whole first, so a variable set to !Ref AWS::NoValue disappears.
        variables = self.resolver.resolve((props.get("Environment") or {}).get("Variables") or {})
        environment = {name: self.resolver.resolve_str(value) for name, value in variables.items()}
        return Function(
            logical_id=logical_id,
            name=self.names.function_name(logical_id),
            arn=self.names.function_arn(logical_id),
            code_uri=(self.root / self.resolver.resolve_str(code_uri)).resolve(),
            handler=self.resolver.resolve_str(props.get("Handler", "app.handler")),
            runtime=self.resolver.resolve_str(props.get("Runtime", "python3.13")),
            timeout=int(self.resolver.resolve(props.get("Timeout", 3))),
            memory_size=int(self.resolver.resolve(props.get("MemorySize", 128))),
            environment=environment,
            events=tuple(self.api_events(logical_id, props.get("Events") or {})),
        )

    def api_events(self, logical_id: str, events: Mapping[str, Any]) -> list[ApiEvent]:
        found = []
        for event in events.values():
            if event.get("Type") != "Api":
                continue
            props = event.get("Properties") or {}
            rest_api = props.get("RestApiId")
            if rest_api is None:
                api = IMPLICIT_API
            elif isinstance(rest_api, dict) and "Ref" in rest_api:
                api = str(rest_api["Ref"])
            else:
                raise TemplateError(f"{logical_id}: RestApiId must be a !Ref to an API in the template")
            auth = self.resolver.resolve(props.get("Auth") or {})
            found.append(
                ApiEvent(
                    api=api,
                    path=self.resolver.resolve_str(props["Path"]),
                    method=self.resolver.resolve_str(props["Method"]).upper(),
                    authorizer=auth.get("Authorizer"),
                )
            )
        return found

    # -- APIs --

    def api(self, logical_id: str, resource: Mapping[str, Any]) -> Api:
        props = self.resolver.resolve(self.properties(resource, "Api"))
        auth = props.get("Auth") or {}
        variables = props.get("Variables")
        return Api(
            logical_id=logical_id,
            api_id=self.names.api_id(logical_id),
            stage=str(props.get("StageName", "Prod")),
            cors=self.cors(props.get("Cors")),
            default_authorizer=auth.get("DefaultAuthorizer"),
            authorizers={name: self.authorizer(name, spec) for name, spec in (auth.get("Authorizers") or {}).items()},
            authorize_cors_preflight=_truthy(auth.get("AddDefaultAuthorizerToCorsPreflight", True)),
            binary_media_types=tuple(t.replace("~1", "/") for t in props.get("BinaryMediaTypes") or ()),
            gateway_responses={
                kind: self.gateway_response(spec) for kind, spec in (props.get("GatewayResponses") or {}).items()
            },
            stage_variables={k: str(v) for k, v in variables.items()} if variables else None,
        )

    @staticmethod
    def cors(spec: Any) -> Cors | None:
        if spec is None:
            return None
        if isinstance(spec, str):
            return Cors(allow_origin=_unquote(spec))
        return Cors(
            allow_origin=_unquote(str(spec.get("AllowOrigin", "'*'"))),
            allow_methods=_unquote(str(spec["AllowMethods"])) if "AllowMethods" in spec else None,
            allow_headers=_unquote(str(spec["AllowHeaders"])) if "AllowHeaders" in spec else None,
            max_age=_unquote(str(spec["MaxAge"])) if "MaxAge" in spec else None,
            allow_credentials=_truthy(spec.get("AllowCredentials", False)),
        )

    @staticmethod
    def authorizer(name: str, spec: Mapping[str, Any]) -> Authorizer:
        identity = spec.get("Identity") or {}
        payload_type = str(spec.get("FunctionPayloadType", "TOKEN")).upper()
        headers = tuple(identity.get("Headers") or ())
        if payload_type == "TOKEN":
            headers = (str(identity.get("Header", "Authorization")),)
        return Authorizer(
            name=name,
            function_arn=spec.get("FunctionArn"),
            payload_type=payload_type,
            headers=headers,
            query_strings=tuple(identity.get("QueryStrings") or ()),
            stage_variables=tuple(identity.get("StageVariables") or ()),
            context=tuple(identity.get("Context") or ()),
            validation_expression=identity.get("ValidationExpression"),
            reauthorize_every=int(identity.get("ReauthorizeEvery", 300)),
        )

    @staticmethod
    def gateway_response(spec: Mapping[str, Any]) -> GatewayResponse:
        headers = (spec.get("ResponseParameters") or {}).get("Headers") or {}
        return GatewayResponse(
            status=int(spec["StatusCode"]) if "StatusCode" in spec else None,
            headers={str(k): str(v) for k, v in headers.items()},
            templates={str(k): str(v) for k, v in (spec.get("ResponseTemplates") or {}).items()},
        )

    # -- state machines and buckets --

    def state_machine(self, logical_id: str, resource: Mapping[str, Any]) -> StateMachine:
        props = self.properties(resource, "StateMachine")
        if "DefinitionUri" in props:
            uri = self.resolver.resolve(props["DefinitionUri"])
            if not isinstance(uri, str):
                raise TemplateError(f"{logical_id}: only a local DefinitionUri can run locally")
            text = (self.root / uri).read_text(encoding="utf-8")
        elif "Definition" in props:
            text = json.dumps(self.resolver.resolve(props["Definition"]))
        elif "DefinitionString" in props:
            text = self.resolver.resolve_str(props["DefinitionString"])
        else:
            raise TemplateError(f"{logical_id}: no Definition, DefinitionUri or DefinitionString")
        substitutions = self.resolver.resolve(props.get("DefinitionSubstitutions") or {})
        for key, value in substitutions.items():
            text = text.replace("${" + key + "}", str(value))
        # ASL may be JSON or YAML; the local Step Functions wants JSON.
        definition = json.dumps(yaml.safe_load(text))
        return StateMachine(
            logical_id=logical_id,
            name=self.names.state_machine_name(logical_id),
            arn=self.names.state_machine_arn(logical_id),
            definition=definition,
            type=self.resolver.resolve_str(props.get("Type", props.get("StateMachineType", "STANDARD"))),
        )

    def build(self) -> Template:
        functions = {lid: self.function(lid, res) for lid, res in self.of_types(_FUNCTION_TYPES).items()}
        apis = {lid: self.api(lid, res) for lid, res in self.of_types(_API_TYPES).items()}
        if any(e.api == IMPLICIT_API for f in functions.values() for e in f.events):
            apis[IMPLICIT_API] = self.api(IMPLICIT_API, {"Type": "AWS::Serverless::Api"})
        for function in functions.values():
            for event in function.events:
                if event.api not in apis:
                    raise TemplateError(f"{function.logical_id}: RestApiId {event.api} is not an API here")
        return Template(
            path=self.path,
            stack_name=self.stack_name,
            parameters=dict(self.resolver.parameters),
            functions=functions,
            apis=apis,
            state_machines={
                lid: self.state_machine(lid, res) for lid, res in self.of_types(_STATE_MACHINE_TYPES).items()
            },
            buckets={lid: Bucket(lid, self.names.bucket_name(lid)) for lid in self.of_types(_BUCKET_TYPES)},
            secrets={lid: self.secret(lid, res) for lid, res in self.of_types(_SECRET_TYPES).items()},
        )

    def secret(self, logical_id: str, resource: Mapping[str, Any]) -> Secret:
        props = self.resolver.resolve(resource.get("Properties") or {})
        return Secret(
            logical_id=logical_id,
            name=self.names.secret_name(logical_id),
            secret_string=props.get("SecretString"),
            generate=props.get("GenerateSecretString") if "SecretString" not in props else None,
        )


def load(
    path: Path | str, parameter_overrides: Mapping[str, str] | None = None, *, stack_name: str = "devstack"
) -> Template:
    """Read a SAM template; parameters take their ``Default`` unless overridden."""
    path = Path(path).resolve()
    return _Builder(path, load_yaml(path), parameter_overrides or {}, stack_name).build()
