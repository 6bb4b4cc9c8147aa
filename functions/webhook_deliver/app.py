"""State machine task (webhook delivery): one attempt at a delivery, and when to try again."""

from typing import Any
from uuid import UUID

from imagify import lifecycle
from imagify.observability import logger
from imagify.settings import DatabaseSettings, EmailSettings, WebhookSettings, require
from imagify.webhooks import deliveries

require(DatabaseSettings, WebhookSettings, EmailSettings)
lifecycle.prime(lifecycle.build_models)  # (before a SnapStart snapshot)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    delivery_id = UUID(str(event["deliveryId"]))
    logger.append_keys(delivery_id=str(delivery_id))
    return deliveries.attempt(delivery_id)
