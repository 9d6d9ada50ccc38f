"""The outbox's staff page: each of its four actions changes only the messages it applies to, and is in
the audit log with its code and how many it changed."""

import pytest
from django.urls import reverse

from uadesk.delivery.models import Message
from uadesk.staff.models import AuditEntry

pytestmark = pytest.mark.django_db
OUTBOX = reverse("admin:delivery_message_changelist")


def act(client, action: str, *messages: Message) -> None:
    response = client.post(OUTBOX, {"action": action, "_selected_action": [m.pk for m in messages]})
    assert response.status_code == 302, response.content.decode()[-2000:]


def statuses(**messages: Message) -> dict[str, str]:
    return {name: Message.objects.get(pk=m.pk).status for name, m in messages.items()}


def test_hold_release_retry_and_cancel_each_change_their_messages_and_are_audited(staff_client):
    waiting = Message.objects.create(kind="reminder", ref=1, status="waiting")
    held = Message.objects.create(kind="outcome-news", ref=2, status="held")
    failed = Message.objects.create(kind="webhook", ref=3, status="failed", attempts=6, last_error="HTTP 500")
    sent = Message.objects.create(kind="data-link", ref=4, status="sent")
    every = {"waiting": waiting, "held": held, "failed": failed, "sent": sent}

    act(staff_client, "hold", waiting, sent)  # what went, went
    assert statuses(**every) == {"waiting": "held", "held": "held", "failed": "failed", "sent": "sent"}
    act(staff_client, "release", waiting, held, failed)  # only the held ones
    assert statuses(**every) == {"waiting": "waiting", "held": "waiting", "failed": "failed", "sent": "sent"}
    act(staff_client, "retry", failed, waiting)  # only the failed one: a full set of tries again
    assert statuses(**every) == {"waiting": "waiting", "held": "waiting", "failed": "waiting", "sent": "sent"}
    failed.refresh_from_db()
    assert (failed.attempts, failed.retried_from) == (6, 6)
    act(staff_client, "cancel", failed, held, sent)
    assert statuses(**every) == {
        "waiting": "waiting", "held": "cancelled", "failed": "cancelled", "sent": "sent",
    }  # fmt: skip

    rows = AuditEntry.objects.order_by("pk").values_list("code", "actor", "via", "object_type", "detail")
    assert list(rows) == [
        ("uadesk.message.held", "editor", "desk", "delivery.message", {"count": 1}),
        ("uadesk.message.released", "editor", "desk", "delivery.message", {"count": 2}),
        ("uadesk.message.retried", "editor", "desk", "delivery.message", {"count": 1}),
        ("uadesk.message.cancelled", "editor", "desk", "delivery.message", {"count": 2}),
    ]
