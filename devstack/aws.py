"""AWS, locally: a moto server in this process, with the template's buckets, secrets, Lambda functions and
state machines created in it, and state machine tasks running the real handlers (see
:mod:`devstack.lambda_seam`).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import secrets
import string
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions

from devstack import lambda_seam
from devstack.cfn import REGION
from devstack.runtime import Runtime
from devstack.template import Secret, Template

_ROLE = "devstack-execution"
_MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
_ASSUME_ROLE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _stub_zip() -> bytes:
    # moto stores code but never runs it: the seam calls the handler from CodeUri instead.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "# devstack: the real handler runs in-process\n")
    return buffer.getvalue()


def generate_secret_string(spec: Mapping[str, Any]) -> str:
    """CloudFormation's ``GenerateSecretString``: a random password, alone or as a key of a JSON template."""
    alphabet = "".join(
        chars
        for chars, flag in (
            (string.ascii_lowercase, "ExcludeLowercase"),
            (string.ascii_uppercase, "ExcludeUppercase"),
            (string.digits, "ExcludeNumbers"),
            (string.punctuation, "ExcludePunctuation"),
        )
        if not spec.get(flag)
    ) + (" " if spec.get("IncludeSpace") else "")
    alphabet = "".join(c for c in alphabet if c not in str(spec.get("ExcludeCharacters", "")))
    password = "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
    if "SecretStringTemplate" not in spec:
        return password
    document = json.loads(spec["SecretStringTemplate"])
    document[spec["GenerateStringKey"]] = password
    return json.dumps(document)


def _exists(describe: Callable[..., Any], **kwargs: Any) -> bool:
    try:
        describe(**kwargs)
    except botocore.exceptions.ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error.response.get("Error", {}).get("Code", "")
        if status == 404 or "NotFound" in code or "DoesNotExist" in code or code == "NoSuchEntity":
            return False
        raise
    return True


def _name_unnamed_executions() -> Callable[[], None]:
    """Give an unnamed execution a UUID, as AWS (and moto's plain backend) do: moto's ASL engine backend
    names it ``None``, so a second unnamed StartExecution on a machine fails as ExecutionAlreadyExists (or,
    with the same input, returns the first execution). Returns the function that undoes the patch."""
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original = StepFunctionsParserBackend.start_execution

    def start_execution(self: Any, state_machine_arn: str, name: Any = None, *args: Any, **kwargs: Any) -> Any:
        return original(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)

    setattr(StepFunctionsParserBackend, "start_execution", start_execution)  # noqa: B010

    def undo() -> None:
        setattr(StepFunctionsParserBackend, "start_execution", original)  # noqa: B010

    return undo


class LocalAws:
    def __init__(self, template: Template, runtime: Runtime, state_dir: Path | None = None) -> None:
        self.template = template
        self.runtime = runtime
        # Generated secret values are kept here, so that (say) tokens signed before a restart stay valid.
        self.state_dir = state_dir
        self.port = 0
        self._server: Any = None
        self._undo: list[Callable[[], None]] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's placeholder credentials
        )

    def _moto_api(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        url = f"{self.endpoint}/moto-api/{path}"
        request = urllib.request.Request(url, data=data, method="POST" if data else "GET")  # noqa: S310 - http://127.0.0.1
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            text = response.read().decode()
        return json.loads(text) if text else None

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        # moto's server logs every request (werkzeug) and the engine warns about lookups we don't need.
        for name in ("werkzeug", "moto"):
            logging.getLogger(name).setLevel(logging.ERROR)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        self.port = self._server.get_host_and_port()[1]
        self._set_env("MOTO_PORT", str(self.port))  # how moto's state machine engine finds Lambda
        previous = self._moto_api("config")
        self._moto_api("config", _MOTO_CONFIG)
        self._undo.append(lambda: self._moto_api("config", previous))
        self._undo.append(lambda_seam.install(self.runtime))
        self._undo.append(_name_unnamed_executions())
        self._create_resources()

    def _set_env(self, name: str, value: str) -> None:
        saved = os.environ.get(name)
        os.environ[name] = value

        def restore() -> None:
            if saved is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = saved

        self._undo.append(restore)

    def referenced_functions(self) -> list[str]:
        """Functions a state machine definition names (by ARN or by name)."""
        found = []
        for function in self.template.functions.values():
            for machine in self.template.state_machines.values():
                if function.arn in machine.definition or f'"{function.name}' in machine.definition:
                    found.append(function.logical_id)
                    break
        return found

    def _create_resources(self) -> None:
        """Create the template's resources, or bring existing ones up to date: moto's state is process-wide,
        and another stack in this process (a test session's, say) may own some of it already."""
        s3 = self.client("s3")
        for bucket in self.template.buckets.values():
            if not _exists(s3.head_bucket, Bucket=bucket.name):
                s3.create_bucket(Bucket=bucket.name)
        manager = self.client("secretsmanager")
        for secret in self.template.secrets.values():
            value = self._secret_value(secret)
            if _exists(manager.describe_secret, SecretId=secret.name):
                manager.put_secret_value(SecretId=secret.name, SecretString=value)
            else:
                manager.create_secret(Name=secret.name, SecretString=value)
        if not self.template.state_machines:
            return
        iam = self.client("iam")
        if not _exists(iam.get_role, RoleName=_ROLE):
            iam.create_role(RoleName=_ROLE, AssumeRolePolicyDocument=json.dumps(_ASSUME_ROLE))
        role = iam.get_role(RoleName=_ROLE)["Role"]["Arn"]
        lambda_ = self.client("lambda")
        code = _stub_zip()
        for logical_id in self.referenced_functions():
            function = self.template.functions[logical_id]
            if _exists(lambda_.get_function, FunctionName=function.name):
                continue  # its code is a stub either way: the seam runs the handler
            lambda_.create_function(
                FunctionName=function.name,
                Runtime=function.runtime,
                Role=role,
                Handler=function.handler,
                Code={"ZipFile": code},
                Timeout=function.timeout,
                MemorySize=function.memory_size,
            )
        sfn = self.client("stepfunctions")
        for machine in self.template.state_machines.values():
            if _exists(sfn.describe_state_machine, stateMachineArn=machine.arn):
                sfn.update_state_machine(stateMachineArn=machine.arn, definition=machine.definition, roleArn=role)
            else:
                sfn.create_state_machine(
                    name=machine.name, definition=machine.definition, roleArn=role, type=machine.type
                )

    def _secret_value(self, secret: Secret) -> str:
        if secret.secret_string is not None:
            return secret.secret_string
        store = self.state_dir / "secrets.json" if self.state_dir else None
        kept: dict[str, str] = json.loads(store.read_text()) if store and store.exists() else {}
        if secret.logical_id not in kept:
            kept[secret.logical_id] = generate_secret_string(secret.generate or {})
            if store:
                store.parent.mkdir(parents=True, exist_ok=True)
                store.write_text(json.dumps(kept, indent=2))
                store.chmod(0o600)
        return kept[secret.logical_id]

    def stop(self) -> None:
        while self._undo:
            undo = self._undo.pop()
            with contextlib.suppress(OSError):  # the server is going away anyway
                undo()
        if self._server is not None:
            self._server.stop()
            self._server = None
