"""Staff see failed appeals with the reason, the supporter's letter kept, and can queue them again."""

import subprocess
import uuid

import pytest
from django.urls import reverse

from uadesk.appeals.models import Appeal
from uadesk.appeals.services import Writer, appeal_submit
from uadesk.delivery.models import Attempt, Message, RunKick

pytestmark = pytest.mark.django_db


def test_failed_appeals_are_listed_with_their_reason_and_can_be_retried(
    staff_client, seed_action, django_capture_on_commit_callbacks
):
    xi = seed_action.targets.get(name="Xi Jinping")
    appeal = Appeal.objects.create(
        action=seed_action, target=xi, channel="email", language="en", subject="s", body="My own words",
        supporter_name="Ada", status="failed", last_error="mail server said 550: 'No such user'",
    )  # fmt: skip
    Message.objects.create(kind="appeal", ref=appeal.pk, status="failed", attempts=5, last_error="550")
    html = staff_client.get(
        reverse("admin:appeals_appeal_changelist") + "?status__exact=failed"
    ).content.decode()
    assert "mail server said 550" in html
    assert (
        "My own words"
        in staff_client.get(reverse("admin:appeals_appeal_change", args=[appeal.pk])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:appeals_appeal_changelist"), {"action": "requeue", "_selected_action": [appeal.pk]}
        )
    appeal.refresh_from_db()
    message = appeal.delivery()
    # The count goes on (attempts keep their numbers), with a full set of tries from here.
    assert (appeal.status, message.status, message.attempts, message.retried_from) == (
        "queued",
        "waiting",
        5,
        5,
    )
    assert RunKick.objects.get().pending


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_a_retried_appeal_goes_out_beside_the_others_and_keeps_its_history(
    staff_client, open_action, uadesk_bin, worker_env, smtp_server
):
    mailbox, _ = smtp_server
    xi = open_action.targets.get(name="Xi Jinping")

    def submit(n: int) -> Appeal:
        [appeal] = appeal_submit(
            action=open_action, targets=[xi], channel="email", language="en", subject=open_action.title,
            letters={xi.pk: f"Dear President Xi Jinping,\n\nLetter {n}.\n\nSupporter {n}, Lyon"},
            writer=Writer(name=f"Supporter {n}"), key=uuid.uuid4(),
        )  # fmt: skip
        return appeal

    failed = submit(0)
    # It failed for good on its first attempt, which stays on record.
    Appeal.objects.filter(pk=failed.pk).update(status="failed", last_error="550 No such user")
    Message.objects.of("appeal", [failed.pk]).update(
        status="failed", attempts=1, last_error="550 No such user"
    )
    Attempt.objects.create(message=failed.delivery(), number=1, outcome="failed", detail="550 No such user")
    others = [submit(1), submit(2)]
    staff_client.post(
        reverse("admin:appeals_appeal_changelist"), {"action": "requeue", "_selected_action": [failed.pk]}
    )
    worker = subprocess.Popen(
        [uadesk_bin, "worker", "--interval=0.1", "--batch"], env=worker_env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, stderr = worker.communicate(timeout=120)
    assert worker.returncode == 0, stderr.decode()[-3000:]
    assert "IntegrityError" not in stderr.decode()
    assert len(mailbox.wait_for(3)) == 3
    for appeal in [failed, *others]:
        appeal.refresh_from_db()
        assert appeal.status == "sent", (appeal.pk, appeal.last_error)
    assert list(failed.delivery().attempt_log.order_by("number").values_list("number", "outcome")) == [
        (1, "failed"),
        (2, "sent"),
    ]
