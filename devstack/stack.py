"""The local stack's lifetime: database and AWS up, environment applied; everything undone on stop."""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any

from devstack import database, environment, extension
from devstack.aws import LocalAws
from devstack.output import say
from devstack.runtime import Runtime
from devstack.template import Template


class Stack:
    """Postgres (``database_url`` or embedded, migrated), moto with the template's resources, and
    ``os.environ`` set for the handlers: every function's variables, ``prefer``'s winning a conflict."""

    def __init__(
        self,
        template: Template,
        *,
        state_dir: Path,
        database_url: str | None = None,
        prefer: str | None = None,
    ) -> None:
        self.template = template
        self.state_dir = state_dir
        self.database_url = database_url
        others = [f for f in template.functions if f != prefer]
        self.function_ids = [prefer, *others] if prefer else others
        self.runtime = Runtime(template)
        self.aws = LocalAws(template, self.runtime, state_dir)
        self.database: database.Database | None = None
        self.extension: extension.Extension | None = None
        self._exit = ExitStack()

    def start(self) -> Stack:
        try:
            self._start()
        except BaseException:
            self._exit.close()
            raise
        return self

    def _start(self) -> None:
        # Postgres starts in the background while moto imports and fills itself: startup is their max.
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="devstack-db")
        pending = pool.submit(self._open_database)
        self._exit.callback(self._close_database, pool, pending)
        self._exit.callback(self.aws.stop)
        self.aws.start()
        self.database = pending.result()
        clients: dict[str, Any] = {}
        served = extension.Extension(
            lambda service: clients.get(service) or clients.setdefault(service, self.aws.client(service)),
            token=environment.BASE["AWS_SESSION_TOKEN"],
        )
        self._exit.callback(served.stop)
        self.extension = served
        env = environment.function_environment(
            [self.template.function(f) for f in self.function_ids],
            aws_endpoint=self.aws.endpoint,
            database_url=self.database.url,
            extension_port=served.port,
        )
        self._exit.enter_context(environment.applied(env))

    def _open_database(self) -> database.Database:
        db = database.open_database(self.database_url, self.state_dir)
        try:
            applied_now, applied = database.migrate(db.url)
        except BaseException:
            db.stop()
            raise
        say(f"database: {db.description}, {applied} migrations applied ({applied_now} just now)")
        return db

    @staticmethod
    def _close_database(pool: ThreadPoolExecutor, pending: Future[database.Database]) -> None:
        pool.shutdown(wait=True)
        if pending.done() and pending.exception() is None:
            pending.result().stop()

    def stop(self) -> None:
        self._exit.close()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def default_state_dir(template: Template) -> Path:
    return Path(os.environ.get("DEVSTACK_STATE_DIR") or template.root / ".devstack")
