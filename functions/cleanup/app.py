"""The scheduled cleanup (EventBridge, every 15 minutes by default): expired rows and uploads, stuck generations,
unstarted webhook deliveries."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from imagify import cleanup, lifecycle
from imagify.observability import logger
from imagify.settings import DatabaseSettings, FlowSettings, StorageSettings, WebhookSettings, require

require(DatabaseSettings, StorageSettings, FlowSettings, WebhookSettings)
lifecycle.prime(lifecycle.build_models)  # (before a SnapStart snapshot)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    counts = cleanup.run().as_dict()
    logger.info("cleanup done", extra={"counts": counts})
    return counts
