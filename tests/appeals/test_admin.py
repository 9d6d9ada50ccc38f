"""Staff see failed appeals with the reason, the supporter's letter kept, and can queue them again."""

import pytest
from django.urls import reverse

from uadesk.appeals.models import Appeal, DeliveryKick

pytestmark = pytest.mark.django_db


def test_failed_appeals_are_listed_with_their_reason_and_can_be_retried(staff_client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    appeal = Appeal.objects.create(
        action=seed_action, target=xi, channel="email", language="en", subject="s", body="My own words",
        supporter_name="Ada", status="failed", attempts=5, last_error="mail server said 550: 'No such user'",
    )  # fmt: skip
    html = staff_client.get(
        reverse("admin:appeals_appeal_changelist") + "?status__exact=failed"
    ).content.decode()
    assert "mail server said 550" in html
    assert (
        "My own words"
        in staff_client.get(reverse("admin:appeals_appeal_change", args=[appeal.pk])).content.decode()
    )
    staff_client.post(
        reverse("admin:appeals_appeal_changelist"), {"action": "requeue", "_selected_action": [appeal.pk]}
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.attempts) == ("queued", 0)
    assert DeliveryKick.objects.get().pending
