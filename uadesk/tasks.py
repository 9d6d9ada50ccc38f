"""Upkeep of the task queue itself: a task lost with its worker, or cut off from the database, runs again."""

import datetime
import logging

from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

log = logging.getLogger(__name__)
# What the database raises when it dropped the connection or gave up waiting for a lock: the task's
# work was cut short, not wrong.
DATABASE_FAILURES = ["django.db.utils.OperationalError", "django.db.utils.InterfaceError"]
# A task is run at most this many times; one that fails or kills its worker every time stays failed,
# for staff to see in the admin.
MAX_RUNS = 3


def tasks_requeue_interrupted(*, now: datetime.datetime | None = None) -> int:
    """Queues again the tasks still marked running past TASK_LEASE_SECONDS (django-tasks-db never
    takes back the claim of a worker that died) and those that failed on the database."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    lost = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - lease)
    cut = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, exception_class_path__in=DATABASE_FAILURES
    )
    requeued = 0
    for result in [*lost, *cut]:
        # Conditional on the row as read: a worker that finishes it meanwhile keeps its outcome.
        same = DBTaskResult.objects.filter(pk=result.pk, status=result.status, started_at=result.started_at)
        if len(result.worker_ids) >= MAX_RUNS:
            if result.status == TaskResultStatus.RUNNING:
                same.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    traceback=f"lost with its worker {MAX_RUNS} times",
                )
            continue
        if same.update(
            status=TaskResultStatus.READY, finished_at=None, exception_class_path="", traceback=""
        ):
            requeued += 1
            log.warning(
                "task %s (%s) queued again: it was %s", result.pk, result.task_path, result.status.lower()
            )
    return requeued


@task()
def requeue_interrupted_tasks() -> int:
    return tasks_requeue_interrupted()
