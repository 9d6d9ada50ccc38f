"""Fixtures for letter-writing events: named users (organiser, another group, outsider), a second open
action in other scripts, and an event for both actions."""

import datetime

import pytest

from tests.conftest import at, staff_login

OPEN_DAY = datetime.date(2022, 9, 1)
EVENT_DAY = datetime.date(2022, 9, 10)
PASSWORD = "a long organiser password"


def organiser_account(django_user_model, username):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


@pytest.fixture
def organiser(db, django_user_model):
    return organiser_account(django_user_model, "oxford-group")


@pytest.fixture
def other_organiser(db, django_user_model):
    return organiser_account(django_user_model, "leeds-group")


@pytest.fixture
def outsider(db, django_user_model):
    """Staff, but not an organiser: no permission on events."""
    return django_user_model.objects.create_user("outsider", password=PASSWORD, is_staff=True)


@pytest.fixture
def organiser_client(client, organiser):
    staff_login(client, organiser)
    return client


@pytest.fixture
def arabic_action(db):
    """An open action with an Arabic target and letters in English and Arabic."""
    from uadesk.actions.models import Action, ModelLetter, Target

    with at(OPEN_DAY):
        action = Action.objects.create(
            slug="egypt-activist", title="Egypt: release the activist", summary="An activist is detained.",
            asks="Release her now\nLet her see her family", deadline=datetime.date(2022, 10, 30),
        )  # fmt: skip
        Target.objects.create(
            action=action, name="Abdel Fattah al-Sisi", title="President", honorific="President",
            address="Al Ittihadia Palace\nCairo\nEgypt", native_address="قصر الاتحادية\nالقاهرة",
            native_language="ar", country="EG", salutation="Your Excellency",
        )  # fmt: skip
        # No postal address: it is left out of letter paper, labels and the tally.
        Target.objects.create(action=action, name="Email Only", emails="only@example.org", position=2)
        ModelLetter.objects.create(
            action=action,
            language="en",
            salutation="Your Excellency",
            body="I am writing about the activist.\n\nRelease her.",
            closing="Yours",
        )
        ModelLetter.objects.create(action=action, language="ar", salutation="سيادة الرئيس",
                                   body="أكتب إليكم بشأن الناشطة.", closing="")  # fmt: skip
        action.publish()
    return action


@pytest.fixture
def event(seed_action, arabic_action, organiser):
    from uadesk.events.models import Event

    event = Event.objects.create(
        name="Write for Rights", organiser=organiser, date=EVENT_DAY, place="Town hall",
        expected_writers=25, languages="en, ar", label_sheet="A4-21",
    )  # fmt: skip
    event.actions.set([seed_action, arabic_action])
    return event
