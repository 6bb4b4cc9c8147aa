"""What the state machine's task functions share: their input, and their Lambda entry point."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from imagify import lifecycle
from imagify.observability import logger


class GenerationTask(BaseModel):
    """A state's input: the generation's id, and after a ``Catch`` the error (``{Error, Cause}``)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    generation_id: UUID = Field(alias="generationId")
    error: dict[str, Any] | None = None

    def output(self) -> dict[str, Any]:
        # Only the id goes on: the image is in the row, and state payloads are capped at 256 KiB.
        return {"generationId": str(self.generation_id)}


TaskHandler = Callable[[GenerationTask, Any], dict[str, Any]]


def task_handler(function: TaskHandler) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """Parse the state's input and tag the logs with the generation; errors propagate by name."""
    lifecycle.prime(lifecycle.build_models)

    @logger.inject_lambda_context(clear_state=True)
    @wraps(function)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        task = GenerationTask.model_validate(event)
        logger.append_keys(generation_id=str(task.generation_id))
        return function(task, context)

    return handler
