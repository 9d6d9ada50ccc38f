"""An outcome ends the call to act: once every individual of an action has a final outcome (released,
charges dropped, death sentence commuted…), the page, the home card, the compose form and the event pack
stop asking for letters, unless staff keep the action open."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from uadesk.actions.models import Action, Individual, ModelLetter, Outcome, Target
from uadesk.actions.services import outcome_record
from uadesk.appeals.services import AppealRefused, Writer, appeal_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(db):
    """An open action for two people, with one official reachable by email."""
    action = Action.objects.create(
        slug="two-students", title="Iran: two students detained", summary="Two students are detained.",
        deadline=timezone.localdate() + datetime.timedelta(days=10),
    )  # fmt: skip
    Individual.objects.create(action=action, name="Sara Ahmadi", position=0)
    Individual.objects.create(action=action, name="Reza Karimi", position=1)
    Target.objects.create(action=action, name="Head of the Judiciary", emails="judiciary@example.org")
    ModelLetter.objects.create(action=action, language="en", salutation="Dear Sir", body="Release them.")
    action.publish()
    return action


def record(action, kind, name=None, day=datetime.date(2022, 9, 1)) -> Outcome:
    person = action.individuals.get(name=name) if name else None
    return outcome_record(
        Outcome(action=action, individual=person, kind=kind, happened_on=day, public_note="News.")
    )


def both_released(action):
    record(action, Outcome.Kind.RELEASED, "Sara Ahmadi")
    record(action, Outcome.Kind.CHARGES_DROPPED, "Reza Karimi")


def listed_open(action) -> bool:
    """What the home page's lists say, from the database: they must agree with the model."""
    today = timezone.localdate()
    is_open = Action.objects.open_on(today).filter(pk=action.pk).exists()
    assert Action.objects.closed_on(today).filter(pk=action.pk).exists() is not is_open
    return is_open


# -- The rule ------------------------------------------------------------------------------------------


def test_the_call_ends_only_when_everyone_has_a_final_outcome(action):
    record(action, Outcome.Kind.RELEASED, "Sara Ahmadi")
    assert action.is_open() and listed_open(action) and not action.all_individuals_resolved()
    record(action, Outcome.Kind.DEATH_SENTENCE_COMMUTED, "Reza Karimi")
    assert action.all_individuals_resolved() and action.ended_by_outcomes()
    assert not action.is_open() and not listed_open(action)
    assert action.days_left() is None
    assert action.resolution_summary() == "Sara Ahmadi: Released; Reza Karimi: Death sentence commuted"


@pytest.mark.parametrize(
    "kind",
    [
        Outcome.Kind.RELEASED_ON_BAIL,
        Outcome.Kind.SENTENCED,
        Outcome.Kind.SENTENCE_REDUCED,
        Outcome.Kind.TRANSFERRED,
        Outcome.Kind.TRIAL_SET,
        Outcome.Kind.WHEREABOUTS_DISCLOSED,
        Outcome.Kind.ACCESS_GRANTED,
        Outcome.Kind.MISSING,
        Outcome.Kind.OTHER,
    ],
)
def test_news_of_a_case_that_goes_on_keeps_the_action_open(action, kind):
    record(action, Outcome.Kind.ACQUITTED, "Sara Ahmadi")
    record(action, kind, "Reza Karimi")
    assert action.is_open() and listed_open(action) and not action.all_individuals_resolved()


def test_the_latest_news_counts(action):
    """Released, then taken again: the action asks for letters again."""
    both_released(action)
    assert not action.is_open()
    record(action, Outcome.Kind.SENTENCED, "Sara Ahmadi", day=datetime.date(2022, 9, 5))
    assert action.is_open() and listed_open(action)


def test_news_of_the_whole_case_counts_for_everyone(action):
    record(action, Outcome.Kind.RELEASED)
    assert action.ended_by_outcomes() and not listed_open(action)
    # Later news of one person reopens the case for them.
    record(action, Outcome.Kind.TRANSFERRED, "Reza Karimi", day=datetime.date(2022, 9, 5))
    assert action.is_open() and listed_open(action)


def test_an_action_about_nobody_in_particular_ends_with_final_news_of_the_case(action):
    action.individuals.all().delete()
    record(action, Outcome.Kind.OTHER)
    assert action.is_open() and listed_open(action)
    record(action, Outcome.Kind.FOUND_SAFE, day=datetime.date(2022, 9, 5))
    assert not action.is_open() and not listed_open(action)


def test_an_action_with_no_news_stays_open(action):
    assert action.is_open() and listed_open(action) and action.resolving_outcomes() == []


def test_an_action_about_nobody_by_name_with_no_news_is_listed_open(action):
    # The imported "COPINH coordinators" case names no one: with no news, it is on the open list.
    action.individuals.all().delete()
    assert action.is_open() and listed_open(action)


def test_staff_can_keep_the_action_open(action):
    both_released(action)
    action.keep_open_after_outcomes = True
    action.save()
    assert action.all_individuals_resolved() and not action.ended_by_outcomes()
    assert action.is_open() and listed_open(action)


def test_final_outcomes_bring_the_individuals_status_in_line(action):
    record(action, Outcome.Kind.EXECUTED, "Sara Ahmadi")
    record(action, Outcome.Kind.FOUND_SAFE, "Reza Karimi")
    assert dict(action.individuals.values_list("name", "status")) == {
        "Sara Ahmadi": Individual.Status.EXECUTED,
        "Reza Karimi": Individual.Status.SAFE,
    }


# -- The pages -------------------------------------------------------------------------------------------


def test_the_action_page_shows_the_outcome_and_asks_for_no_letters(client, action):
    compose = reverse("appeals:compose", kwargs={"slug": action.slug})
    html = client.get(action.get_absolute_url()).content.decode()
    assert compose in html and "Outcome: this action no longer asks for letters" not in html
    both_released(action)
    html = client.get(action.get_absolute_url()).content.decode()
    assert "Outcome: this action no longer asks for letters" in html
    assert "<bdi>Reza Karimi</bdi></strong>: Charges dropped" in html
    assert "Every person this action was for has a final outcome: no new appeals are needed." in html
    assert compose not in html and "Write an appeal" not in html and "Remind me" not in html
    assert "This action is closed" not in html


def test_an_action_kept_open_still_asks_for_letters(client, action):
    both_released(action)
    Action.objects.filter(pk=action.pk).update(keep_open_after_outcomes=True)
    html = client.get(action.get_absolute_url()).content.decode()
    assert reverse("appeals:compose", kwargs={"slug": action.slug}) in html
    assert "Outcome: this action no longer asks for letters" not in html


def test_the_home_card_says_so(client, action):
    both_released(action)
    html = client.get(reverse("actions:list")).content.decode()
    open_part, closed_part = html.split('id="closed-heading"')
    assert action.title not in open_part and action.title in closed_part
    assert (
        'Outcome: <span dir="auto">Sara Ahmadi: Released; Reza Karimi: Charges dropped</span>' in closed_part
    )


def test_the_compose_form_refuses_new_appeals(client, action):
    both_released(action)
    response = client.get(reverse("appeals:compose", kwargs={"slug": action.slug}))
    assert response.status_code == 410
    html = response.content.decode()
    assert "Outcome: this action no longer asks for letters" in html and "Charges dropped" in html
    with pytest.raises(AppealRefused, match="has a final outcome: it takes no new appeal"):
        appeal_submit(
            action=action, targets=list(action.targets.all()), channel="email", language="en",
            subject="Release them", letters={t.pk: "Release them." for t in action.targets.all()},
            writer=Writer(name="Someone"), key=uuid.uuid4(),
        )  # fmt: skip
