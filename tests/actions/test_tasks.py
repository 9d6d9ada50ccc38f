"""Background work runs on a real task worker process, on SQLite and on PostgreSQL, with several workers."""

import datetime
import subprocess

import pytest
from django_tasks_db.models import DBTaskResult

from tests.conftest import SEED_DEADLINE
from uadesk.actions.models import Action
from uadesk.actions.tasks import close_expired_actions

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def run_workers(uadesk_bin, env, count):
    workers = [
        subprocess.Popen([uadesk_bin, "worker", "--batch", "--interval=0.1"], env=env, stderr=subprocess.PIPE)
        for _ in range(count)
    ]
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr.decode()[-2000:]


def test_a_worker_process_closes_expired_actions(uadesk_bin, process_env):
    expired = Action.objects.create(
        slug="e", title="E", summary="S", deadline=datetime.date(2020, 1, 1), status="published"
    )
    still_open = Action.objects.create(
        slug="o", title="O", summary="S", deadline=datetime.date.today() + datetime.timedelta(days=5),
        status="published",
    )  # fmt: skip
    result = close_expired_actions.enqueue()
    run_workers(uadesk_bin, process_env, 1)
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == 1
    expired.refresh_from_db()
    still_open.refresh_from_db()
    assert (expired.status, still_open.status) == ("closed", "published")


def test_several_workers_run_each_task_once(uadesk_bin, process_env):
    Action.objects.create(slug="e", title="E", summary="S", deadline=SEED_DEADLINE, status="published")
    results = [close_expired_actions.enqueue() for _ in range(12)]
    run_workers(uadesk_bin, process_env, 3)
    rows = DBTaskResult.objects.filter(id__in=[r.id for r in results])
    assert rows.count() == 12
    assert {row.status for row in rows} == {"SUCCESSFUL"}
    # Each task was claimed by one worker only, and together they closed the action exactly once.
    assert all(len(row.worker_ids) == 1 for row in rows)
    assert sorted(row.return_value for row in rows) == [0] * 11 + [1]
