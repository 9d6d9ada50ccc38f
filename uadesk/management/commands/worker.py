"""`uadesk worker`: django-tasks-db's db_worker that outlives a lost database connection."""

import contextlib
import logging
import time

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, connections
from django.tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from uadesk.database import connection_lost
from uadesk.logs import task_outcome
from uadesk.requestid import task_context
from uadesk.tasks import MAX_RUNS

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
                with contextlib.suppress(OperationalError, InterfaceError):  # else at the next loss
                    self.release_lost_claims()

    def release_lost_claims(self) -> int:
        """Tasks marked running by this worker while it runs none: a claim whose COMMIT the server took
        as the connection went, the answer lost (the task never ran), or a run whose outcome could not
        be recorded (run again, as uadesk/tasks.py runs a task cut off from the database). Ready again
        now rather than when their lease ends (TASK_LEASE_SECONDS: a letter would wait 15 minutes)."""
        released = 0
        for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
            # Its claim stays counted among its runs, so that a task that cuts the connection every
            # time still ends failed after MAX_RUNS (at its lease's end, by uadesk/tasks.py).
            if result.worker_ids[-1:] != [self.worker_id] or len(result.worker_ids) >= MAX_RUNS:
                continue
            same = DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
            )
            if same.update(status=TaskResultStatus.READY, started_at=None):
                released += 1
                log.warning(
                    "task %s (%s) claimed as the connection was lost: ready again",
                    result.pk,
                    result.task_path,
                )
        return released

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
