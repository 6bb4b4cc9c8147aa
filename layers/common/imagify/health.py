"""Whether the service can do its work: the database answers and its schema is up to date."""

from __future__ import annotations

import psycopg

from imagify import db, migrator
from imagify.models.api import Health, MigrationCounts
from imagify.observability import logger
from imagify.settings import app_settings


def check() -> Health:
    version = app_settings().app_version
    try:
        with db.transaction() as conn:
            report = migrator.status(conn)
    except (db.DatabaseUnavailable, psycopg.Error, migrator.MigrationError) as error:
        logger.warning("health check failed", extra={"reason": type(error).__name__})
        return Health(status="degraded", database="unreachable", migrations=None, version=version)
    counts = MigrationCounts(applied=len(report.applied), pending=len(report.pending))
    status = "ok" if not report.pending else "degraded"
    return Health(status=status, database="ok", migrations=counts, version=version)
