"""The outbox's own rules: an error kept without any address, staff's changes, attempt numbers."""

import pytest

from uadesk.delivery.models import Attempt, Message

pytestmark = pytest.mark.django_db


def test_a_message_given_up_keeps_its_reason_without_any_address():
    message = Message.objects.create(kind="reminder", ref=1, status="sending", claimed_by="w")
    attempt = message.begin_attempt(token="w", lease_seconds=60)
    retry_at = message.record_failure(
        attempt, "mail server said 550: '5.1.1 <ada@example.org>: no such user'",
        permanent=True, max_attempts=5, retry_base=60,
    )  # fmt: skip
    assert retry_at is None and message.status == "failed"
    assert message.last_error == "mail server said 550: '5.1.1 <address>: no such user'"
    assert Attempt.objects.get().detail == message.last_error
    assert Message.objects.due(message.created_at.replace(year=2100)).count() == 0  # no run takes it again


def test_staff_changes_touch_only_the_messages_they_apply_to():
    rows = {s: Message.objects.create(kind="reminder", ref=1, status=s) for s in Message.Status.values}
    everything = Message.objects.all()
    assert everything.hold() == 2  # waiting and sending
    assert Message.objects.get(pk=rows["sent"].pk).status == "sent"
    assert everything.release() == 3  # the two just held, and the one held before
    assert everything.retry() == 1
    assert set(everything.values_list("status", flat=True)) == {"waiting", "sent", "cancelled"}
    assert everything.cancel() == 4
    assert set(everything.values_list("status", flat=True)) == {"sent", "cancelled"}


def test_the_staff_page_of_a_message_of_every_kind_shows_what_it_is_about(staff_client):
    from django.urls import reverse

    for kind in Message.Kind.values:
        message = Message.objects.create(kind=kind, ref=7, status="failed", last_error="550 no such user")
        page = staff_client.get(reverse("admin:delivery_message_change", args=[message.pk]))
        assert page.status_code == 200, kind
        assert "550 no such user" in page.content.decode()
    listed = staff_client.get(reverse("admin:delivery_message_changelist") + "?attention=yes")
    assert listed.status_code == 200 and listed.content.decode().count("550 no such user") == len(
        Message.Kind
    )
