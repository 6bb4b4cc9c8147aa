"""State machine task: processing → completed."""

from typing import Any

from imagify.generations import flow
from imagify.generations.tasks import GenerationTask, task_handler
from imagify.settings import DatabaseSettings, require

require(DatabaseSettings)


@task_handler
def handler(task: GenerationTask, context: Any) -> dict[str, Any]:
    flow.mark_completed(task.generation_id)
    return task.output()
