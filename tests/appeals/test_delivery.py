"""Appeals are delivered by real worker processes to a real SMTP server: once each, retried, never lost."""

import signal
import subprocess
import time
import uuid
from collections import Counter

import pytest

from tests.appeals.helpers import confirm
from tests.conftest import StallOnce
from uadesk.appeals.models import Appeal
from uadesk.appeals.services import Writer, appeal_submit
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def submit(action, count: int) -> list[Appeal]:
    """Letters by email, each from a supporter who confirmed their address."""
    xi = action.targets.get(name="Xi Jinping")
    appeals = []
    for n in range(count):
        key = uuid.uuid4()
        appeal_submit(
            action=action, targets=[xi], channel="email", language="en", subject=action.title,
            letters={xi.pk: f"Dear President Xi Jinping,\n\nLetter {n}.\n\nSupporter {n}, Lyon"},
            writer=Writer(name=f"Supporter {n}", email=f"s{n}@example.org"), key=key,
        )  # fmt: skip
        appeals += confirm(key).appeals
    return appeals


def run_worker(uadesk_bin, env, *, batch=True):
    args = [uadesk_bin, "worker", "--interval=0.1"] + (["--batch"] if batch else [])
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def letters(messages) -> list:
    """The letters to officials among what the SMTP server received (the writers get their receipts)."""
    return [m for m in messages if m["Message-ID"].startswith("<appeal-")]


def finish(worker):
    _, stderr = worker.communicate(timeout=120)
    assert worker.returncode == 0, stderr.decode()[-3000:]


def test_appeals_are_sent_by_the_worker_with_the_supporter_as_reply_to(
    open_action, uadesk_bin, worker_env, smtp_server
):
    mailbox, _ = smtp_server
    appeals = submit(open_action, 3)
    finish(run_worker(uadesk_bin, worker_env))
    messages = letters(mailbox.wait_for(6))
    assert sorted(m["Reply-To"] for m in messages) == ["s0@example.org", "s1@example.org", "s2@example.org"]
    assert {m.envelope_recipients[0] for m in messages} == {"english@mail.gov.cn"}
    assert {m["Message-ID"] for m in messages} == {a.message_id for a in appeals}
    assert all(m.get_body(("html",)) is not None for m in messages)
    for appeal in appeals:
        appeal.refresh_from_db()
        assert appeal.status == "sent" and appeal.sent_at is not None
        [attempt] = appeal.delivery().attempt_log.all()
        assert attempt.outcome == "sent" and attempt.finished_at is not None


def test_a_failing_server_is_retried_then_the_appeal_fails_and_keeps_the_letter(
    open_action, uadesk_bin, worker_env, smtp_server
):
    mailbox, _ = smtp_server
    mailbox.refuse["english@mail.gov.cn"] = "451 4.3.0 Try again later"
    [appeal] = submit(open_action, 1)
    finish(run_worker(uadesk_bin, worker_env))
    appeal.refresh_from_db()
    message = appeal.delivery()
    assert (appeal.status, message.status) == ("failed", "failed")
    assert message.attempts == 3
    assert "451" in message.last_error
    assert appeal.body.startswith("Dear President Xi Jinping,\n\nLetter 0.")
    assert [a.outcome for a in message.attempt_log.all()] == ["retry", "retry", "failed"]
    assert letters(mailbox.messages) == []


def test_a_permanent_refusal_fails_at_once(open_action, uadesk_bin, worker_env, smtp_server):
    mailbox, _ = smtp_server
    mailbox.refuse["english@mail.gov.cn"] = "550 5.1.1 No such user"
    [appeal] = submit(open_action, 1)
    finish(run_worker(uadesk_bin, worker_env))
    appeal.refresh_from_db()
    assert (appeal.status, appeal.delivery().attempts) == ("failed", 1)


def test_two_workers_send_each_appeal_once(open_action, uadesk_bin, worker_env, smtp_server):
    mailbox, _ = smtp_server
    appeals = submit(open_action, 30)
    workers = [run_worker(uadesk_bin, worker_env) for _ in range(2)]
    for worker in workers:
        finish(worker)
    ids = Counter(m["Message-ID"] for m in letters(mailbox.wait_for(60)))
    assert sorted(ids) == sorted(a.message_id for a in appeals)
    assert set(ids.values()) == {1}
    assert Appeal.objects.filter(status="sent").count() == 30


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    open_action, uadesk_bin, worker_env, smtp_server
):
    mailbox, _ = smtp_server
    appeals = submit(open_action, 12)
    stall = StallOnce(mailbox, "Letter 5.")
    worker = run_worker(uadesk_bin, worker_env, batch=False)
    assert stall.stalled.wait(60), "the worker never reached the sixth letter"
    worker.send_signal(signal.SIGKILL)  # in the middle of an SMTP conversation
    worker.communicate(timeout=30)
    stall.release.set()
    time.sleep(0.5)
    assert stall.dropped == 1
    # The dead worker's batch is still claimed; the letter it was sending has its attempt on record.
    held = Message.objects.filter(kind="appeal", status="sending")
    assert held.count() == 7
    [stalled] = [m for m in held if m.attempt_log.exists()]
    assert stalled.attempt_log.get().finished_at is None

    time.sleep(2.1)  # the dead worker's lease runs out
    deliver_messages.enqueue()  # as the scheduler does every minute
    finish(run_worker(uadesk_bin, worker_env))

    ids = Counter(m["Message-ID"] for m in letters(mailbox.messages))
    assert sorted(ids) == sorted(a.message_id for a in appeals)  # none lost
    assert set(ids.values()) == {1}  # none twice
    assert Appeal.objects.filter(status="sent").count() == 12
    stalled.refresh_from_db()
    assert [a.finished_at is None for a in stalled.attempt_log.all()] == [True, False]
