"""The environment handlers run with: the template's variables, pointed at the local database and AWS.

Every handler runs in this one process, so they share one ``os.environ``: the union of their variables.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from devstack.cfn import REGION
from devstack.output import say
from devstack.template import Function

BASE = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "POWERTOOLS_METRICS_NAMESPACE": "Imagify",
}
EXTENSION_PORT = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"
# Locally the database URL is given directly; the SSM parameter it replaces does not exist.
REMOVED = ("DATABASE_URL_PARAMETER",)


def local_settings(aws_endpoint: str, shell: Mapping[str, str]) -> dict[str, str]:
    """The layer's settings documented as the local stack's to set: mail goes to the terminal (moto's SES
    would refuse an unverified sender), upload URLs point at the local S3, images come from the offline
    preview model unless the shell has a Gemini API key, and advice from the offline advisor unless the
    shell names a Bedrock model (with AWS credentials of its own, Bedrock being no moto service), and webhooks
    may go to a plain-http receiver on this machine (never in AWS)."""
    settings = {
        "EMAIL_DELIVERY": "log",
        "WEBHOOK_ALLOW_LOOPBACK_HTTP": "true",
        "S3_PUBLIC_ENDPOINT": aws_endpoint,
        "IMAGE_PROVIDER": "gemini" if shell.get("GEMINI_API_KEY") else "offline",
        "ADVISOR_PROVIDER": "offline",
    }
    if shell.get("BEDROCK_MODEL_ID"):
        # The real Bedrock, with the credentials of BEDROCK_AWS_PROFILE (every other client talks to moto).
        region = shell.get("AWS_REGION") or shell.get("AWS_DEFAULT_REGION") or REGION
        settings["ADVISOR_PROVIDER"] = "bedrock"
        settings["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = f"https://bedrock-runtime.{region}.amazonaws.com"
    return settings


def function_environment(
    functions: Iterable[Function],
    *,
    aws_endpoint: str,
    database_url: str,
    shell_env: Mapping[str, str] | None = None,
    extension_port: int | None = None,
) -> dict[str, str]:
    """Variables for the given functions.

    A variable the template declares can be overridden from the shell (``ADMIN_EMAILS=a@b.c make dev``).
    (The shell's other variables stay in ``os.environ`` too: handlers share the devstack's process.)
    """
    shell = os.environ if shell_env is None else shell_env
    declared: dict[str, str] = {}
    owners: dict[str, str] = {}
    for function in functions:
        for name, value in function.environment.items():
            if name in declared and declared[name] != value:
                say(
                    f"warning: {name} differs between {owners[name]} and {function.logical_id}; "
                    f"all functions share one process, and get {owners[name]}'s value"
                )
                continue
            declared.setdefault(name, value)
            owners.setdefault(name, function.logical_id)
    declared.update(local_settings(aws_endpoint, shell))
    environment = {**BASE, **declared, **{name: shell[name] for name in declared if name in shell}}
    for name in REMOVED:
        environment.pop(name, None)
    environment["AWS_ENDPOINT_URL"] = aws_endpoint
    environment["DATABASE_URL"] = database_url
    if extension_port is not None:  # the local Parameters and Secrets extension (devstack/extension.py)
        environment[EXTENSION_PORT] = str(extension_port)
    return environment


def reset_application_caches() -> None:
    """Settings and clients are made from the environment once and kept, as is the connection: forget them all."""
    try:
        from imagify import clients
    except ImportError:  # pragma: no cover - another project's layer
        return
    clients.reset()


@contextmanager
def applied(environment: Mapping[str, str]) -> Iterator[None]:
    """Set the variables in ``os.environ`` for the duration, then restore what was there."""
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    reset_application_caches()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_application_caches()
