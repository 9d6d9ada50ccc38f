"""A petition on an action: its count on the action page, and its signers who asked hear the case's news."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import at
from uadesk.actions.models import Outcome, OutcomeNotice
from uadesk.actions.services import outcome_record
from uadesk.petitions.models import Petition, Signature
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def action_petition(seed_action):
    return Petition.objects.create(
        action=seed_action, slug="free-xinjiang", title="Free the detained", text="Release them.", goal=4
    )


def sign(petition, email, *, confirmed=True, news=False):
    return Signature.objects.create(
        petition=petition, supporter=Supporter.for_email(email), name=email.split("@")[0], country="FR",
        consent_case_updates=news, confirmed_at=timezone.now() if confirmed else None,
        name_key=email.split("@")[0], household_place=1,
    )  # fmt: skip


def test_the_action_page_shows_the_petition_and_its_count(client, seed_action, action_petition):
    sign(action_petition, "ada@example.org")
    sign(action_petition, "grace@example.org", confirmed=False)
    with at(datetime.date(2022, 9, 1)):
        page = client.get(seed_action.get_absolute_url()).content.decode()
    assert "Free the detained" in page and action_petition.get_absolute_url() in page
    assert action_petition.count() == 1 and action_petition.progress() == 25


def test_only_confirmed_signers_who_asked_for_news_follow_the_case(seed_action, action_petition):
    sign(action_petition, "ada@example.org", news=True)
    sign(action_petition, "grace@example.org", news=False)
    sign(action_petition, "alan@example.org", news=True, confirmed=False)
    outcome = outcome_record(
        Outcome(
            action=seed_action, kind="released", happened_on=datetime.date(2022, 9, 1), public_note="Free."
        )
    )
    told = OutcomeNotice.objects.filter(outcome=outcome).select_related("supporter")
    assert [n.supporter.email for n in told] == ["ada@example.org"]
