"""`uadesk status`: one line a check, then healthy (exit 0) or unhealthy with the reasons (exit 1)."""

import datetime
import subprocess

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from uadesk.delivery.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def status(uadesk_bin, env):
    return subprocess.run([uadesk_bin, "status"], capture_output=True, text=True, env=env, timeout=120)


def worker_just_ran():
    now = timezone.now()
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, task_path="uadesk.tasks.requeue_interrupted_tasks",
        backend_name="default", run_after=get_date_max(), status="SUCCESSFUL", worker_ids=["w1"],
        started_at=now - datetime.timedelta(seconds=5), finished_at=now - datetime.timedelta(seconds=4),
    )  # fmt: skip


def test_a_healthy_desk_exits_0(uadesk_bin, process_env):
    worker_just_ran()
    Message.objects.create(kind="reminder", ref=1)
    result = status(uadesk_bin, process_env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "database", "cache", "workers", "outbox", "failing deliveries", "healthy",
    ]  # fmt: skip
    assert lines[2].startswith("workers: 1 seen in the last 300 s; last task started ")
    assert result.stderr == ""


def test_an_old_waiting_message_is_unhealthy(uadesk_bin, process_env):
    worker_just_ran()
    Message.objects.create(kind="appeal", ref=1, created_at=timezone.now() - datetime.timedelta(minutes=20))
    result = status(uadesk_bin, process_env)
    assert result.returncode == 1
    assert "outbox: oldest due message waiting 12" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("unhealthy: a message has been due for 12")
    assert "Traceback" not in result.stderr


def test_a_message_waiting_for_its_retry_or_a_mailing_copy_is_not(uadesk_bin, process_env):
    worker_just_ran()
    old = timezone.now() - datetime.timedelta(hours=2)
    Message.objects.create(
        kind="appeal", ref=1, created_at=old, next_attempt_at=timezone.now() + datetime.timedelta(minutes=30)
    )
    Message.objects.create(kind="mailing", ref=2, created_at=old, bulk=True)
    result = status(uadesk_bin, process_env)
    assert result.returncode == 0, result.stdout
    assert "outbox: no message due" in result.stdout


def test_silent_workers_and_failures_are_unhealthy(uadesk_bin, process_env):
    for ref in range(11):
        Message.objects.create(kind="appeal", ref=ref, status="failed")
    result = status(uadesk_bin, process_env | {"STATUS_MAX_FAILED_MESSAGES": "10"})
    assert result.returncode == 1
    assert "failing deliveries: 11 failed in the outbox, 11 of the last day's" in result.stdout
    reasons = result.stdout.splitlines()[-1]
    assert "no task started in the last 300 s" in reasons
    assert "11 messages of the last day failed" in reasons


def test_an_unreachable_database_is_one_line_and_no_traceback(uadesk_bin, process_env):
    env = process_env | {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}
    result = status(uadesk_bin, env)
    assert result.returncode == 1
    assert result.stdout.startswith("database: unreachable (OperationalError: ")
    assert result.stdout.splitlines()[-1] == "unhealthy: database unreachable"
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == ""


def test_bad_arguments_are_exit_status_2(uadesk_bin, process_env):
    result = subprocess.run(
        [uadesk_bin, "status", "--no-such-option"],
        capture_output=True,
        text=True,
        env=process_env,
        timeout=120,
    )
    assert result.returncode == 2


def test_a_malformed_database_url_is_one_line_and_exit_status_2(uadesk_bin, process_env):
    result = status(uadesk_bin, process_env | {"DATABASE_URL": "postgres://ana:s3cret@127.0.0.1:port/x"})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "ImproperlyConfigured: DATABASE_URL is not a database URL: This string is not a valid url, possibly "
        "because some of its parts is not properly urllib.parse.quote()'ed."
    ]
    assert "s3cret" not in result.stderr


def test_an_office_feed_failing_for_an_hour_is_unhealthy_a_blip_is_not(uadesk_bin, process_env):
    from uadesk.actions.models import Section
    from uadesk.federation.models import Subscription

    worker_just_ran()
    subscription = Subscription(name="Office", feed_url="http://127.0.0.1:9/federation/feed", office_key="x",
                                section=Section.objects.create(code="de", name="DE"), failures=1,
                                last_error="the office desk did not answer: refused")  # fmt: skip
    subscription.set_token("uadf_t")
    subscription.pulled_at = timezone.now() - datetime.timedelta(minutes=5)
    subscription.save()
    blip = status(uadesk_bin, process_env)
    assert blip.returncode == 0, blip.stdout
    assert "feed Office: 1 failed pulls (the office desk did not answer: refused)" in blip.stdout
    Subscription.objects.filter(pk=subscription.pk).update(
        failures=12, pulled_at=timezone.now() - datetime.timedelta(hours=2)
    )
    broken = status(uadesk_bin, process_env)
    assert broken.returncode == 1
    assert broken.stdout.splitlines()[-1].startswith(
        "unhealthy: the feed of Office has not been pulled for 72"
    )
