"""After the event: letters per official become posted appeals of the event, counted with every other
appeal and apart from the online ones; entering a tally again replaces it."""

import datetime

import pytest
from django.db import IntegrityError

from tests.conftest import at
from tests.events.conftest import EVENT_DAY, OPEN_DAY
from uadesk.appeals.models import Appeal
from uadesk.appeals.services import appeal_counts
from uadesk.events.models import Event
from uadesk.events.services import TallyRefused, event_counts, event_tally, event_tally_record
from uadesk.reports.services import appeal_report

pytestmark = pytest.mark.django_db


def officials(action):
    return {t.name: t.pk for t in action.targets.all()}


def record(event, letters, day=EVENT_DAY):
    with at(day):
        return event_tally_record(event=event, letters=letters)


def online_appeal(action, target_pk):
    return Appeal.objects.create(
        action=action, target_id=target_pk, channel=Appeal.Channel.EMAIL, status=Appeal.Status.SENT,
        subject="s", body="b", supporter_name="Zoë", supporter_country="FR",
    )  # fmt: skip


def test_counted_letters_count_everywhere_and_apart_by_event(event, seed_action):
    xi, ma = officials(seed_action)["Xi Jinping"], officials(seed_action)["Ma Xingrui"]
    online_appeal(seed_action, xi)
    assert record(event, {xi: 12, ma: 3}) == 15
    rows = Appeal.objects.filter(event=event)
    assert rows.count() == 15
    assert set(rows.values_list("channel", "status", "body", "supporter_name", "supporter_id")) == {
        ("post", "posted", "", "", None)
    }
    assert all(a.sent_at.date() == EVENT_DAY and "Write for Rights" in a.subject for a in rows)
    counts = appeal_counts(action=seed_action)
    assert counts["total"] == {"": 16}
    assert counts["channel"] == {"email": 1, "post": 15}
    assert counts["target"]["Xi Jinping"] == 13 and counts["target"]["Ma Xingrui"] == 3
    # The dashboards and exports tell the event's letters apart from those sent online.
    event_name = Event.objects.get().name
    assert dict(appeal_report(seed_action).by_source) == {event_name: 15, "online": 1}
    assert event_counts(action=seed_action) == {
        "origin": {"online": 1, "event": 15},
        "event": {"Write for Rights (10 September 2022)": 15},
    }


def test_entering_a_tally_again_replaces_it_exactly(event, seed_action):
    xi, ma = officials(seed_action)["Xi Jinping"], officials(seed_action)["Ma Xingrui"]
    record(event, {xi: 12, ma: 3})
    first_ids = set(Appeal.objects.filter(event=event).values_list("pk", flat=True))
    assert record(event, {xi: 12, ma: 3}) == 0  # the same numbers again: nothing changes
    assert set(Appeal.objects.filter(event=event).values_list("pk", flat=True)) == first_ids
    assert record(event, {xi: 7, ma: 5}) == 7
    assert event_tally(event) == {xi: 7, ma: 5}
    assert record(event, {xi: 0, ma: 5}) == 7
    assert event_tally(event) == {ma: 5}
    assert appeal_counts(action=seed_action)["total"] == {"": 5}
    event.refresh_from_db()
    assert event.tallied_at is not None


def test_two_events_are_told_apart(event, seed_action, organiser):
    second = Event.objects.create(
        name="Monthly meeting", organiser=organiser, date=datetime.date(2022, 9, 12), expected_writers=8,
        languages="en",
    )  # fmt: skip
    second.actions.set([seed_action])
    xi = officials(seed_action)["Xi Jinping"]
    record(event, {xi: 4})
    record(second, {xi: 6}, day=datetime.date(2022, 9, 12))
    record(event, {xi: 2})  # one event's correction leaves the other's letters alone
    assert event_counts(action=seed_action)["event"] == {
        "Monthly meeting (12 September 2022)": 6,
        "Write for Rights (10 September 2022)": 2,
    }


def test_letters_are_counted_from_the_day_of_the_event(event, seed_action):
    with pytest.raises(TallyRefused, match="from the day of the event"):
        record(event, {officials(seed_action)["Xi Jinping"]: 3}, day=EVENT_DAY - datetime.timedelta(days=1))
    assert not Appeal.objects.exists()


def test_officials_outside_the_event_are_refused(event, seed_action):
    from uadesk.actions.models import Action, Target

    other = Action.objects.create(slug="other", title="Other", summary="s")
    stranger = Target.objects.create(action=other, name="Stranger", address="Somewhere")
    with pytest.raises(TallyRefused, match="not in this event"):
        record(event, {officials(seed_action)["Xi Jinping"]: 3, stranger.pk: 2})
    assert not Appeal.objects.exists()  # nothing of a refused tally is stored


def test_a_failure_midway_stores_nothing(event, seed_action, monkeypatch):
    xi, ma = officials(seed_action)["Xi Jinping"], officials(seed_action)["Ma Xingrui"]
    record(event, {xi: 2, ma: 2})
    real = Appeal.objects.bulk_create
    calls = []

    def failing(objs, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise IntegrityError("the database went away")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Appeal.objects, "bulk_create", failing)
    with pytest.raises(IntegrityError):
        record(event, {xi: 5, ma: 9})
    assert event_tally(event) == {xi: 2, ma: 2}


def test_an_event_with_letters_cannot_be_deleted(event, seed_action):
    from django.db.models import ProtectedError

    record(event, {officials(seed_action)["Xi Jinping"]: 1})
    with pytest.raises(ProtectedError):
        event.delete()


def test_a_tally_writes_its_webhook_messages_in_its_transaction(event, seed_action):
    # bulk_create sends no post_save: the appeals_counted signal, inside the tally's transaction, does.
    from uadesk.api.models import Webhook, WebhookDelivery
    from uadesk.delivery.models import Message

    with at(OPEN_DAY):
        Webhook.objects.create(name="CRM", url="https://crm.example.org/hook")
    xi = officials(seed_action)["Xi Jinping"]
    assert record(event, {xi: 2}) == 2
    counted = set(Appeal.objects.filter(event=event).values_list("pk", flat=True))
    deliveries = WebhookDelivery.objects.filter(event="appeal.counted")
    assert set(deliveries.values_list("object_id", flat=True)) == counted
    assert Message.objects.filter(kind="webhook", ref__in=deliveries.values("pk")).count() == 2
