"""An event pack asks for no letters for an action whose individuals all have a final outcome: it leaves
the action out and says why, on the cover and on the event's page."""

import datetime

import pytest
from django.urls import reverse

from tests.conftest import at
from tests.events.conftest import EVENT_DAY
from uadesk.actions.models import Outcome
from uadesk.actions.services import outcome_record
from uadesk.events.models import Event
from uadesk.events.services import event_pack_plan

pytestmark = pytest.mark.django_db


def release_everyone(action) -> None:
    """News of the whole case: the Egyptian action is about nobody named."""
    outcome_record(
        Outcome(action=action, kind=Outcome.Kind.RELEASED, happened_on=datetime.date(2022, 9, 5),
                public_note="She is free.")
    )  # fmt: skip


def test_the_pack_leaves_the_action_out_and_says_why(event, arabic_action, seed_action, organiser_client):
    release_everyone(arabic_action)
    with at(EVENT_DAY):
        plan = event_pack_plan(event=event, base_url="https://desk.example.org")
        html = organiser_client.get(reverse("events:detail", kwargs={"pk": event.pk})).content.decode()
    assert [a.title for a in plan.actions] == [seed_action.title]
    assert plan.left_out == [
        "Egypt: release the activist (every person it was for has a final outcome: Released)"
    ]
    assert "every person it was for has a final outcome: left out of the pack" in html


def test_a_new_event_cannot_take_the_action(arabic_action):
    release_everyone(arabic_action)
    with at(EVENT_DAY):
        problems = Event(name="Later", date=EVENT_DAY, languages="en", expected_writers=10).action_problems(
            [arabic_action]
        )
    assert problems[0] == (
        "“Egypt: release the activist” no longer asks for letters: "
        "every person it was for has a final outcome."
    )
