"""Background work runs on a real task worker process, on SQLite and on PostgreSQL, with several workers;
emails to supporters (news of an outcome, reminders) refused by the mail server are tried again later."""

import datetime
import io
import subprocess
import time
import uuid

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.appeals.helpers import confirm
from tests.conftest import SEED_DEADLINE
from uadesk.actions.models import Action, Outcome, OutcomeNotice, Reminder
from uadesk.actions.services import outcome_record
from uadesk.actions.tasks import close_expired_actions
from uadesk.appeals.services import Writer, appeal_submit
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.supporters.models import Supporter
from uadesk.supporters.news import reminder_ask
from uadesk.supporters.tasks import queue_reminders

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


def follow(action, email: str) -> None:
    """A letter by post from a supporter who asked for news of the case and confirmed their email."""
    xi = action.targets.get(name="Xi Jinping")
    key = uuid.uuid4()
    appeal_submit(
        action=action, targets=[xi], channel="post", language="en", subject="s",
        letters={xi.pk: "Release them."}, key=key,
        writer=Writer(name="Ada", email=email, wants_updates=True),
    )  # fmt: skip
    confirm(key)
    deliver_messages.call()  # the receipt of the letter: what follows is about the news


def record_release(action) -> Outcome:
    return outcome_record(
        Outcome(action=action, individual=action.individuals.first(), kind="released",
                happened_on=timezone.localdate(), public_note="Released on bail after 2 years.")
    )  # fmt: skip


def message_of(row, kind: str) -> Message:
    return Message.objects.get(kind=kind, ref=row.pk)


def news_to(mailbox, address: str) -> list:
    return [m for m in mailbox.messages if m["To"] == address and "Released on bail" in m.as_string()]


def test_outcome_news_refused_once_goes_on_a_later_run_exactly_once(
    open_action, uadesk_bin, worker_env, smtp_server
):
    mailbox, _ = smtp_server
    follow(open_action, "ada@example.org")
    mailbox.refuse_once["ada@example.org"] = "451 4.3.0 Try again later"
    env = worker_env | {"SUPPORTER_EMAIL_RETRY_BASE_SECONDS": "2"}
    record_release(open_action)  # the news is in the outbox; a delivery run is queued after the commit
    run_workers(uadesk_bin, env, 1)
    assert mailbox.refused == ["ada@example.org"] and news_to(mailbox, "ada@example.org") == []
    message = message_of(OutcomeNotice.objects.get(), "outcome-news")
    assert (message.status, message.attempts) == ("waiting", 1)
    assert "451" in message.last_error

    # Its wait over, the run the refusal queued for then and the scheduler's own (as `uadesk run`
    # starts it) both come: it goes once.
    time.sleep(2.1)
    for _ in range(2):
        scheduler = subprocess.run([uadesk_bin, "scheduler", "--once"], env=env, capture_output=True)
        assert scheduler.returncode == 0, scheduler.stderr.decode()[-2000:]
        run_workers(uadesk_bin, env, 1)
    assert len(news_to(mailbox, "ada@example.org")) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_outcome_news_refused_goes_on_the_schedulers_run_when_its_delayed_run_is_lost(
    open_action, smtp_server, settings
):
    from django.core.management import call_command

    mailbox, _ = smtp_server
    settings.SUPPORTER_EMAIL_RETRY_BASE_SECONDS = 60
    follow(open_action, "ada@example.org")
    mailbox.refuse_once["ada@example.org"] = "451 4.3.0 Try again later"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        record_release(open_action)
        assert deliver_messages.call() == 0
    message = message_of(OutcomeNotice.objects.get(), "outcome-news")
    assert (message.status, message.attempts) == ("waiting", 1)
    runs = DBTaskResult.objects.filter(task_path="uadesk.delivery.tasks.deliver_messages")
    assert runs.filter(run_after=message.next_attempt_at).exists()  # the run the refusal queued for then
    runs.delete()  # lost: a worker's database restored, the row cleared by hand
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        call_command("scheduler", "--once", stdout=io.StringIO())
        [scheduled] = runs.filter(status="READY")
        scheduled.task.call()  # what the worker does with the row the scheduler queued
    assert len(news_to(mailbox, "ada@example.org")) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_outcome_news_waits_longer_after_each_refusal_then_is_kept_failed_with_its_reason(
    open_action, smtp_server, settings
):
    mailbox, _ = smtp_server
    settings.SUPPORTER_EMAIL_MAX_ATTEMPTS = 3
    settings.SUPPORTER_EMAIL_RETRY_BASE_SECONDS = 60
    follow(open_action, "ada@example.org")
    mailbox.refuse["ada@example.org"] = "451 4.2.1 <ada@example.org>: mailbox busy"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        record_release(open_action)
        assert deliver_messages.call() == 0
    message = message_of(OutcomeNotice.objects.get(), "outcome-news")
    assert message.next_attempt_at == start + datetime.timedelta(seconds=60)
    for seconds, tries in [(59, 1), (60, 2), (299, 2), (300, 3), (10 * 86400, 3)]:
        with time_machine.travel(start + datetime.timedelta(seconds=seconds), tick=False):
            assert deliver_messages.call() == 0
        assert len(mailbox.refused) == tries, seconds
        if seconds == 60:
            message.refresh_from_db()
            assert message.next_attempt_at == start + datetime.timedelta(seconds=60 + 240)
    message.refresh_from_db()
    # Failed for good: kept, with the reason and its attempts, and no address in it.
    assert (message.status, message.attempts, message.sent_at) == ("failed", 3, None)
    assert message.attempt_log.last().finished_at == start + datetime.timedelta(seconds=300)
    assert "451" in message.last_error and "@" not in message.last_error


def test_a_refused_reminder_is_tried_again_after_a_wait_and_given_up_after_the_last_attempt(
    open_action, smtp_server, settings
):
    mailbox, _ = smtp_server
    settings.SUPPORTER_EMAIL_MAX_ATTEMPTS = 2
    settings.SUPPORTER_EMAIL_RETRY_BASE_SECONDS = 60
    reminder_ask(action=open_action, email="ada@example.org")
    reminder_ask(action=open_action, email="grace@example.org")
    mailbox.refuse["ada@example.org"] = "451 4.3.0 Try again later"
    mailbox.refuse_once["grace@example.org"] = "451 4.3.0 Try again later"
    deadline = open_action.effective_deadline
    window = datetime.datetime.combine(deadline, datetime.time(12), tzinfo=datetime.UTC) - datetime.timedelta(
        days=3
    )
    with time_machine.travel(window, tick=False):
        assert queue_reminders.call() == 2
        assert queue_reminders.call() == 0  # each is queued once
        assert deliver_messages.call() == 0
    assert sorted(mailbox.refused) == ["ada@example.org", "grace@example.org"]
    with time_machine.travel(window + datetime.timedelta(seconds=30), tick=False):
        assert deliver_messages.call() == 0  # neither is due again yet
    assert len(mailbox.refused) == 2
    with time_machine.travel(window + datetime.timedelta(seconds=60), tick=False):
        assert deliver_messages.call() == 1  # Grace's goes; Ada's is refused a second and last time
    with time_machine.travel(window + datetime.timedelta(days=1), tick=False):
        assert queue_reminders.call() == 0
        assert deliver_messages.call() == 0
    assert mailbox.refused.count("ada@example.org") == 2
    assert [m["To"] for m in mailbox.messages] == ["grace@example.org"]
    ada = message_of(Reminder.objects.get(supporter=Supporter.find("ada@example.org")), "reminder")
    assert ada.status == "failed" and "451" in ada.last_error
