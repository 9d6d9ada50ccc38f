"""A template's placeholder for a name ("[Group]") is never shown to supporters, and staff cannot save one."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.actions.test_admin import action_form, post
from tests.conftest import at
from uadesk.actions.models import Individual, Outcome

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)


def test_the_imported_seed_shows_no_placeholder_in_any_language(client, seed_action):
    # Its NAME line reads "[Group] (they/them)": the import left the name for staff to fill in.
    assert [(p.name, p.pronoun) for p in seed_action.individuals.all()] == [("", "they/them")]
    for code, _ in settings.LANGUAGES:
        with at(OPEN_DAY):
            response = client.get(f"/{code}/actions/{seed_action.slug}/")
        html = response.content.decode()
        assert response.status_code == 200 and f'<html lang="{code}"' in html
        assert "[Group]" not in html, code
        assert 'id="individuals-heading"' not in html, code  # no one named yet: no list of no one


def test_a_placeholder_stored_before_is_hidden_and_real_names_show(client, seed_action):
    seed_action.individuals.update(name="[Group]")  # as earlier imports stored it
    named = seed_action.individuals.create(name="Ilham Tohti", pronoun="he/him", position=1)
    placeholder = seed_action.individuals.get(name="[Group]")
    Outcome.objects.create(action=seed_action, individual=placeholder, kind="released", happened_on=OPEN_DAY)
    Outcome.objects.create(action=seed_action, individual=named, kind="sentenced", happened_on=OPEN_DAY)
    for code, _ in settings.LANGUAGES:
        with at(OPEN_DAY):
            html = client.get(f"/{code}/actions/{seed_action.slug}/").content.decode()
        text = " ".join(re.sub(r"<[^>]+>", "", html).split())
        assert "[Group]" not in html, code
        assert text.count("Ilham Tohti") == 2, code  # in the list and on its outcome
        people = re.search(r'<ul class="individuals">(.*?)</ul>', html, re.S).group(1)
        assert people.count("<li>") == 1, code


@pytest.mark.parametrize("name", ["[Group]", "<NAME>", "{name}", "[Name] (pronoun)"])
def test_staff_cannot_save_a_placeholder_as_a_name(seed_action, name):
    with pytest.raises(ValidationError) as raised:
        Individual(action=seed_action, name=name).full_clean()
    assert raised.value.message_dict["name"] == [
        f"“{name}” is a placeholder, not a name: write the person's or the group's name."
    ]


@pytest.mark.parametrize("name", ["Ilham Tohti", "Ahmed [surname withheld]", "Members of the Xinjiang Group"])
def test_names_with_brackets_or_the_word_group_are_names(seed_action, name):
    Individual(action=seed_action, name=name).full_clean()
    assert Individual(action=seed_action, name=name).is_named


def test_the_admin_says_a_placeholder_is_not_a_name(staff_client):
    data = action_form() | {
        "individuals-TOTAL_FORMS": "1",
        "individuals-0-name": "[Group]",
        "individuals-0-status": "detained",
        "individuals-0-position": "0",
    }
    response = post(staff_client, data)
    assert response.status_code == 200
    assert "“[Group]” is a placeholder, not a name" in response.content.decode()
    assert not staff_client.get(reverse("admin:actions_action_changelist")).context["cl"].result_count
