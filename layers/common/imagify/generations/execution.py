"""The Step Functions execution of a generation, named after its id (so a retried start is harmless)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from imagify import clients
from imagify.observability import logger
from imagify.settings import flow_settings


class StartFailed(Exception):
    """The execution could not be started; the caller refunds and fails the generation."""


def _state_machine_arn() -> str:
    arn = flow_settings().state_machine_arn
    if not arn:
        raise StartFailed("STATE_MACHINE_ARN is not configured")
    return arn


def execution_arn(generation_id: UUID) -> str:
    return _state_machine_arn().replace(":stateMachine:", ":execution:", 1) + f":{generation_id}"


def start(generation_id: UUID, *, client: Any | None = None) -> None:
    client = client or clients.stepfunctions()
    try:
        client.start_execution(
            stateMachineArn=_state_machine_arn(),
            name=str(generation_id),
            input=json.dumps({"generationId": str(generation_id)}),
        )
    except client.exceptions.ExecutionAlreadyExists:
        return  # started by an earlier try of this same request
    except Exception as error:
        raise StartFailed(f"{type(error).__name__}: {error}") from error


def stop(generation_id: UUID, cause: str, *, client: Any | None = None) -> None:
    """Stop a running execution, as a courtesy: the generation is already failed and refunded, and every
    task only acts on a generation in the status it expects, so an execution that runs on changes nothing."""
    client = client or clients.stepfunctions()
    try:
        client.stop_execution(executionArn=execution_arn(generation_id), error="Cancelled", cause=cause)
    except Exception as error:
        logger.warning(
            "could not stop the execution", extra={"generation_id": str(generation_id), "reason": str(error)}
        )
