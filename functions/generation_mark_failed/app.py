"""State machine task: any failure → failed, with a readable message and one refund."""

from typing import Any

from imagify.generations import flow
from imagify.generations.tasks import GenerationTask, task_handler
from imagify.settings import DatabaseSettings, require

require(DatabaseSettings)


@task_handler
def handler(task: GenerationTask, context: Any) -> dict[str, Any]:
    flow.mark_failed(task.generation_id, task.error)
    return task.output()
