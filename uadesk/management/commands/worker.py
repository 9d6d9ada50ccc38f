"""`uadesk worker`: django-tasks-db's db_worker that outlives a lost database connection."""

import logging
import time

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

from uadesk.database import connection_lost
from uadesk.logs import task_outcome
from uadesk.requestid import task_context

log = logging.getLogger(__name__)


class Worker(db_worker.Worker):
    def run(self) -> None:
        # django-tasks-db claims a task inside a transaction and lets any error but a locked SQLite
        # database end the process: a database restart would stop every worker at once, and a task
        # queued meanwhile would wait for someone to start them again.
        while True:
            try:
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if not connection_lost(error):
                    raise
                log.warning("worker %s lost its database connection: connecting again", self.worker_id)
                for db in connections.all(initialized_only=True):
                    db.close()
                time.sleep(self.interval or 1)

    def run_task(self, db_task_result) -> None:
        # Its lines carry the id of the request that queued it; one line if it did something.
        with task_context(db_task_result):
            super().run_task(db_task_result)
            task_outcome(db_task_result)


class Command(db_worker.Command):
    help = "Runs queued tasks (db_worker that survives a lost database connection)."

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, **options) -> None:
        self.configure_logging(verbosity)
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_name.split(","):
            raise CommandError("--exclude-queues can only be used with --queue-name=*", returncode=2)
        if reload:
            raise CommandError("--reload: use `uadesk db_worker --reload` while developing", returncode=2)
        worker = Worker(
            queue_names=queue_name.split(","),
            excluded_queue_names=excluded,
            **{
                name: options[name]
                for name in ("interval", "batch", "backend_name", "startup_delay", "max_tasks", "worker_id")
            },
        )
        worker.configure_signals()
        worker.run()
