"""State machine task: asks the image model and writes the result into the row."""

import importlib
from typing import Any

from imagify import lifecycle
from imagify.ai.images import image_model
from imagify.generations import flow
from imagify.generations.tasks import GenerationTask, task_handler
from imagify.settings import DatabaseSettings, GeminiSettings, StorageSettings, require

require(DatabaseSettings, StorageSettings, GeminiSettings)
# Before a SnapStart snapshot: google-genai (~0.4 s to import) and Pillow, which the first generation needs.
lifecycle.prime(lambda: importlib.import_module("imagify.ai.images.gemini"))


@task_handler
def handler(task: GenerationTask, context: Any) -> dict[str, Any]:
    flow.generate(task.generation_id, image_model)
    return task.output()
