"""State machine task: asks the image model and writes the result into the row."""

from typing import Any

from imagify.ai.images import image_model
from imagify.generations import flow
from imagify.generations.tasks import GenerationTask, task_handler
from imagify.settings import DatabaseSettings, GeminiSettings, StorageSettings, require

require(DatabaseSettings, StorageSettings, GeminiSettings)


@task_handler
def handler(task: GenerationTask, context: Any) -> dict[str, Any]:
    flow.generate(task.generation_id, image_model)
    return task.output()
