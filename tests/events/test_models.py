"""The event's rules: the organisers' group and its permissions, what the database refuses, clean()."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.conftest import at
from tests.events.conftest import EVENT_DAY, OPEN_DAY
from uadesk.events.models import Event

pytestmark = pytest.mark.django_db


def test_the_organisers_group_may_do_events_and_nothing_else():
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Organisers")
    assert sorted(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("events", "add_event"),
        ("events", "change_event"),
        ("events", "view_event"),
    ]


def test_an_organiser_holds_the_events_permissions_only(organiser):
    assert organiser.has_perms(["events.add_event", "events.change_event", "events.view_event"])
    assert not organiser.has_perm("events.view_all_events")
    assert not organiser.has_perm("events.delete_event")
    assert not organiser.has_perm("appeals.view_appeal") and not organiser.has_perm("actions.change_action")


def test_organisers_see_their_own_events_and_staff_with_the_permission_all(event, other_organiser):
    from django.contrib.auth.models import Permission

    assert list(Event.objects.visible_to(event.organiser)) == [event]
    assert not Event.objects.visible_to(other_organiser).exists()
    other_organiser.user_permissions.add(Permission.objects.get(codename="view_all_events"))
    other_organiser = type(other_organiser).objects.get(pk=other_organiser.pk)  # permissions are cached
    assert list(Event.objects.visible_to(other_organiser)) == [event]


@pytest.mark.parametrize(
    "changes", [{"expected_writers": 0}, {"expected_writers": 1001}, {"label_sheet": "A5"}, {"languages": ""}]
)
def test_the_database_refuses_what_must_never_be_stored(organiser, changes):
    fields = dict(name="E", organiser=organiser, date=EVENT_DAY, expected_writers=5, languages="en")
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(**(fields | changes))


@pytest.mark.parametrize(
    ("languages", "message"),
    [("", "at least one language"), ("en, english", "not a language code"), ("en, en", "each language once")],
)
def test_clean_checks_the_language_codes(organiser, languages, message):
    event = Event(name="E", organiser=organiser, date=EVENT_DAY, expected_writers=5, languages=languages)
    with pytest.raises(ValidationError, match=message):
        event.full_clean()


def test_action_problems_name_each_problem(event, seed_action, arabic_action):
    from uadesk.actions.models import Action, Target

    with at(OPEN_DAY):
        draft = Action.objects.create(slug="draft", title="A draft", summary="s")
        emailed = Action.objects.create(slug="mail", title="Email only", summary="s", deadline=EVENT_DAY)
        Target.objects.create(action=emailed, name="Official", emails="o@example.org")
        emailed.letters.create(language="en", body="Body")
        emailed.publish()
        fresh = Event(
            name="New", organiser=event.organiser, date=EVENT_DAY, expected_writers=10, languages="ar"
        )
        problems = fresh.action_problems([seed_action, draft, emailed])
    assert problems == [
        "“MISSING AND ARBITRARILY DETAINED IN XINJIANG” has no model letter in the languages chosen.",
        "“A draft” is not open.",
        "“Email only” has no model letter in the languages chosen.",
        "“Email only” has no official with a postal address.",
    ]
    # An action already in the event stays when it closes; a new one must be open.
    with at(datetime.date(2022, 9, 25)):
        assert event.action_problems([seed_action, arabic_action]) == []
        fresh.date = datetime.date(2022, 9, 25)
        assert fresh.action_problems([seed_action]) == [
            "“MISSING AND ARBITRARILY DETAINED IN XINJIANG” is not open.",
        ]


def test_letters_may_be_counted_from_the_event_day(event):
    assert not event.may_count(EVENT_DAY - datetime.timedelta(days=1))
    assert event.may_count(EVENT_DAY) and event.may_count(EVENT_DAY + datetime.timedelta(days=40))
