"""Applies pending migrations (``{"action": "apply"}``) or reports them (``{"action": "status"}``).

Invoked by hand or by the deploy pipeline after ``sam deploy``; never by API Gateway. A refusal
(an edited applied file, a failing migration) raises, so the invoker sees a function error.
"""

from typing import Literal

from aws_lambda_powertools.utilities.parser import BaseModel, event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from imagify import lifecycle, migrator
from imagify.observability import logger
from imagify.settings import DatabaseSettings, require

require(DatabaseSettings)
lifecycle.prime(lifecycle.build_models)  # (before a SnapStart snapshot)


class MigrateEvent(BaseModel):
    action: Literal["status", "apply"] = "status"


@logger.inject_lambda_context
@event_parser(model=MigrateEvent)
def handler(event: MigrateEvent, context: LambdaContext) -> dict[str, list[str]]:
    report = migrator.run(event.action)
    logger.info("migrations", extra=report.as_dict())
    return report.as_dict()
