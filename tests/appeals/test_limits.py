"""Targets are not flooded: at most the action's number of appeals an hour, and faxes spaced apart."""

import datetime
import uuid

import pytest
from django.utils import timezone

from tests.conftest import at
from uadesk.appeals.services import Writer, appeal_submit
from uadesk.delivery.models import Message
from uadesk.delivery.outbox import claim_due

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)


def submit(action, count, channel="email"):
    xi = action.targets.get(name="Xi Jinping")
    with at(OPEN_DAY):
        for n in range(count):
            appeal_submit(
                action=action, targets=[xi], channel=channel, language="en", subject="s",
                letters={xi.pk: f"Letter {n}"}, writer=Writer(name=f"S{n}"), key=uuid.uuid4(),
            )  # fmt: skip


def test_a_target_gets_at_most_the_hourly_number(seed_action):
    seed_action.max_appeals_per_target_per_hour = 3
    seed_action.save()
    submit(seed_action, 5)
    now = timezone.now()
    claimed = claim_due(now, token="a", limit=50)
    assert len(claimed) == 3
    waiting = Message.objects.filter(status="waiting")
    assert waiting.count() == 2
    assert {a.next_attempt_at for a in waiting} == {now + datetime.timedelta(minutes=20)}
    Message.objects.filter(pk__in=[m.pk for m in claimed]).update(status="sent", sent_at=now)
    # Nothing more goes out within the hour, even to a second worker; after it, the rest go.
    assert claim_due(now + datetime.timedelta(minutes=25), token="b", limit=50) == []
    assert len(claim_due(now + datetime.timedelta(minutes=61), token="b", limit=50)) == 2


def test_faxes_to_one_target_are_spaced(seed_action, settings):
    settings.FAX_MIN_SPACING_SECONDS = 120
    submit(seed_action, 3, channel="fax")
    now = timezone.now()
    [first] = claim_due(now, token="a", limit=50)
    Message.objects.filter(pk=first.pk).update(status="sent", sent_at=now)
    assert claim_due(now + datetime.timedelta(seconds=60), token="a", limit=50) == []
    assert len(claim_due(now + datetime.timedelta(seconds=121), token="a", limit=50)) == 1
