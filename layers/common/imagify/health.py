"""Whether the service can do its work: the database answers and its schema is up to date."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from imagify import db, migrator
from imagify.observability import logger


@dataclass(frozen=True)
class Report:
    """The database's state: its migrations' report, or ``None`` when it could not be reached."""

    migrations: migrator.Report | None

    @property
    def healthy(self) -> bool:
        return self.migrations is not None and not self.migrations.pending


def check() -> Report:
    try:
        with db.transaction() as conn:
            return Report(migrator.status(conn))
    except (db.DatabaseUnavailable, psycopg.Error, migrator.MigrationError) as error:
        logger.warning("health check failed", extra={"reason": type(error).__name__})
        return Report(None)
