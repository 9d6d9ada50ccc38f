"""Tasks lost with their worker, or cut off from the database, run again; a worker outlives a cut."""

import datetime
import subprocess
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import StallOnce
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.petitions.models import Signature
from uadesk.petitions.outbox import petition_email_queue
from uadesk.schedule import SCHEDULE
from uadesk.supporters.models import Supporter
from uadesk.tasks import MAX_RUNS, requeue_interrupted_tasks, tasks_requeue_interrupted

pytestmark = pytest.mark.django_db(transaction=True)


def task_row(status: str, *, started_minutes_ago: int = 0, workers: int = 1, error: str = "") -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=requeue_interrupted_tasks.enqueue().id)
    row.status, row.worker_ids = status, [f"worker-{n}" for n in range(workers)]
    row.started_at = timezone.now() - datetime.timedelta(minutes=started_minutes_ago)
    row.exception_class_path = error
    row.save()
    return row


def status(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


def test_a_task_running_past_the_lease_is_queued_again_and_one_within_it_is_not(settings):
    settings.TASK_LEASE_SECONDS = 600
    lost = task_row("RUNNING", started_minutes_ago=11)
    running = task_row("RUNNING", started_minutes_ago=9)
    assert tasks_requeue_interrupted() == 1
    assert (status(lost), status(running)) == ("READY", "RUNNING")


def test_a_task_that_failed_on_the_database_runs_again_and_one_that_failed_otherwise_does_not():
    cut = task_row("FAILED", error="django.db.utils.OperationalError")
    wrong = task_row("FAILED", error="builtins.ValueError")
    assert tasks_requeue_interrupted() == 1
    assert (status(cut), status(wrong)) == ("READY", "FAILED")
    cut.refresh_from_db()
    assert cut.exception_class_path == "" and cut.finished_at is None


def test_after_its_last_run_a_task_stays_failed(settings):
    settings.TASK_LEASE_SECONDS = 600
    lost = task_row("RUNNING", started_minutes_ago=11, workers=MAX_RUNS)
    cut = task_row("FAILED", workers=MAX_RUNS, error="django.db.utils.OperationalError")
    assert tasks_requeue_interrupted() == 0
    assert (status(lost), status(cut)) == ("FAILED", "FAILED")


def test_the_scheduler_queues_the_requeue():
    assert (requeue_interrupted_tasks, 60) in SCHEDULE


@pytest.mark.worker
def test_a_worker_whose_connection_is_cut_mid_send_lives_on_and_sends_each_email_once(
    petition, worker_env, uadesk_bin, smtp_server
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no connection to cut")
    mailbox, _ = smtp_server
    with transaction.atomic():
        for n in range(3):
            supporter = Supporter.for_email(f"signer{n}@example.org")
            signature = Signature.objects.create(
                petition=petition, supporter=supporter, name=f"Signer {n}", household_place=1
            )
            petition_email_queue(mail="confirm", petition=petition, supporter=supporter, signature=signature)
    stall = StallOnce(mailbox, "signer0@example.org")
    [run] = [DBTaskResult.objects.get(pk=deliver_messages.enqueue().id)]
    worker = subprocess.Popen(
        [uadesk_bin, "worker", "--interval=0.1"],
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert stall.stalled.wait(60), "the worker never sent the first email"
        with connection.cursor() as cursor:  # the worker's connection ends while its email is out
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        stall.release.set()
        mailbox.wait_for(1)
        while status(run) in ("READY", "RUNNING") and worker.poll() is None:
            time.sleep(0.05)
        assert worker.poll() is None  # the worker lives on
        if status(run) == "FAILED":  # the cut met a claim: the run failed on the database
            assert tasks_requeue_interrupted() == 1  # as the scheduler's task does every minute
        # The emails the cut run had claimed wait out its lease; then the scheduler's run takes them.
        time.sleep(2.1)
        deliver_messages.enqueue()
        messages = mailbox.wait_for(3)
    finally:
        worker.terminate()
        _, stderr = worker.communicate(timeout=60)
    assert worker.returncode == 0, stderr.decode()[-3000:]
    # Each email once: the one out during the cut was recorded as sent on a new connection.
    assert sorted(m["To"] for m in messages) == [
        "signer0@example.org",
        "signer1@example.org",
        "signer2@example.org",
    ]
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.worker
def test_a_worker_cut_off_while_claiming_a_task_lives_on_and_runs_the_next(worker_env, uadesk_bin):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no connection to cut")
    table = DBTaskResult._meta.db_table
    worker = subprocess.Popen(
        [uadesk_bin, "worker", "--interval=0.1", "--no-startup-delay"],
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # The lock holds the worker inside its claim, so the cut meets it there and nowhere else.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
            waiting = []
            deadline = time.monotonic() + 60
            while not waiting and time.monotonic() < deadline and worker.poll() is None:
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # else it is read once per transaction
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query LIKE %s",
                    [f'SELECT "{table}".%'],  # the claim; its FOR UPDATE is past what the server keeps
                )
                waiting = [pid for (pid,) in cursor.fetchall()]
                time.sleep(0.05)
            assert waiting, "the worker never came to claim a task"
            cursor.execute("SELECT pg_terminate_backend(%s)", waiting)
        result = requeue_interrupted_tasks.enqueue()
        deadline = time.monotonic() + 60
        while result.status != "SUCCESSFUL" and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
            result.refresh()
        assert worker.poll() is None, "the worker ended with its connection"
        assert result.status == "SUCCESSFUL"
    finally:
        worker.terminate()
        _, stderr = worker.communicate(timeout=60)
    assert worker.returncode == 0, stderr.decode()[-3000:]
    assert "lost its database connection" in stderr.decode()


def test_a_claim_left_by_a_lost_connection_is_ready_again_when_the_worker_connects_again():
    """The server took the claim's COMMIT as the connection went: the task is marked running by a
    worker that runs none. When that worker next loses its connection and connects again, the task is
    run then, by it, not when its lease ends; another worker's running task is left alone."""
    import psycopg
    from django.db import OperationalError

    from uadesk.management.commands.worker import Worker

    stuck, busy = task_row("RUNNING"), task_row("RUNNING", workers=2)  # "worker-0"; "worker-1" runs
    spent = task_row("RUNNING", workers=MAX_RUNS)  # its last claim is "worker-2"
    spent.worker_ids = ["worker-0"] * MAX_RUNS
    spent.save()
    worker = Worker(
        queue_names=["*"], excluded_queue_names=[], interval=0.01, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="worker-0",
    )  # fmt: skip

    def lost_once(execute, sql, params, many, context):
        context["connection"].execute_wrappers.remove(lost_once)
        cause = psycopg.OperationalError("server closed the connection unexpectedly")
        raise OperationalError(*cause.args) from cause

    connection.ensure_connection()
    connection.execute_wrappers.append(lost_once)
    try:
        worker.run()  # loses its connection at its first statement, connects again, runs what is ready
    finally:
        if lost_once in connection.execute_wrappers:
            connection.execute_wrappers.remove(lost_once)
    stuck.refresh_from_db()
    # Run once, by it; the lost claim counts among its runs (MAX_RUNS).
    assert (stuck.status, stuck.worker_ids) == ("SUCCESSFUL", ["worker-0", "worker-0"])
    assert status(busy) == "RUNNING"
    assert status(spent) == "RUNNING"  # its runs are spent: failed at its lease's end, not run again
