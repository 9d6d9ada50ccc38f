"""The scheduler queues every periodic task for the workers; a worker then runs them."""

import subprocess

import pytest
from django_tasks_db.models import DBTaskResult

from uadesk.schedule import SCHEDULE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_scheduler_queues_each_periodic_task_and_the_worker_runs_them(uadesk_bin, process_env):
    result = subprocess.run(
        [uadesk_bin, "scheduler", "--once"], env=process_env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    names = {task.name for task, _ in SCHEDULE}
    assert {line.removeprefix("queued ") for line in result.stdout.splitlines()} == names
    assert {row.task_path.rsplit(".", 1)[-1] for row in DBTaskResult.objects.all()} == names
    subprocess.run([uadesk_bin, "worker", "--batch"], env=process_env, capture_output=True, check=True)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_the_outbox_runs_on_the_schedule_at_least_every_minute():
    # Retries that fell due, and messages whose worker died, go even when no run was queued for them.
    from uadesk.delivery.tasks import deliver_messages

    periods = [seconds for task, seconds in SCHEDULE if task.name == deliver_messages.name]
    assert len(periods) == 1 and 0 < periods[0] <= 60
