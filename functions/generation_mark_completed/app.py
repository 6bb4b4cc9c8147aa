"""State machine task: processing → completed, then the webhooks of that end are started."""

from typing import Any

from imagify.generations import flow
from imagify.generations.tasks import GenerationTask, task_handler
from imagify.settings import DatabaseSettings, WebhookSettings, require
from imagify.webhooks import deliveries

require(DatabaseSettings, WebhookSettings)


@task_handler
def handler(task: GenerationTask, context: Any) -> dict[str, Any]:
    flow.mark_completed(task.generation_id)
    deliveries.notify(task.generation_id)  # the webhooks its end made (never raises)
    return task.output()
