"""A section localises an action: its embassy, its translation, a later deadline; the original untouched."""

import datetime
import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.appeals.helpers import confirm, form_submitted
from tests.conftest import SEED_DEADLINE, at
from uadesk.actions.models import Localisation, ModelLetter, Section, Target
from uadesk.appeals.models import Appeal
from uadesk.supporters.links import data_url
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db
LATER = SEED_DEADLINE + datetime.timedelta(days=14)


@pytest.fixture
def german(seed_action):
    section = Section.objects.create(code="de", name="Amnesty Deutschland", country="DE")
    version = Localisation.objects.create(
        action=seed_action, section=section, deadline=LATER, introduction="Bitte schreiben Sie bis Oktober."
    )
    Target.objects.create(
        action=seed_action, localisation=version, role="copy", name="Botschafter der VR China",
        address="Märkisches Ufer 54\\n10179 Berlin", country="DE", salutation="Exzellenz",
    )  # fmt: skip
    ModelLetter.objects.create(
        action=seed_action, localisation=version, language="de", body="Bitte lassen Sie alle frei."
    )
    return version


def test_the_original_page_is_untouched_and_points_to_the_section(client, seed_action, german):
    with at(datetime.date(2022, 9, 1)):
        page = client.get(seed_action.get_absolute_url()).content.decode()
    assert "Botschafter der VR China" not in page and "Bitte lassen Sie alle frei." not in page
    assert german.get_absolute_url() in page and "Amnesty Deutschland" in page


def test_the_section_page_adds_its_target_letter_and_later_deadline(client, seed_action, german):
    # After the action's own deadline, the section's version is still open.
    with at(SEED_DEADLINE + datetime.timedelta(days=3)):
        original = client.get(seed_action.get_absolute_url()).content.decode()
        page = client.get(german.get_absolute_url()).content.decode()
    assert "This action is closed" in original
    assert "This action is closed" not in page
    assert LATER.isoformat() in page
    assert "Botschafter der VR China" in page and "Xi Jinping" in page
    assert "Bitte lassen Sie alle frei." in page and "Bitte schreiben Sie bis Oktober." in page
    assert "?section=de" in page


def test_a_supporter_writes_to_the_sections_embassy_after_the_original_deadline(client, seed_action, german):
    embassy = Target.objects.get(localisation=german)
    compose = reverse("appeals:compose", args=[seed_action.slug])
    with at(SEED_DEADLINE + datetime.timedelta(days=3)):
        assert client.get(compose).status_code == 410  # the international action is closed
        form = client.get(compose, {"section": "de"}).content.decode()
        assert re.search(rf'value="{embassy.pk}"', form) and 'value="de"' in form
        sent = client.post(compose, {
            "key": str(uuid.uuid4()), "targets": [embassy.pk], "language": "de", "channel": "post",
            "body": "Bitte lassen Sie alle frei.", "name": "Anna", "town": "Köln", "country": "DE",
            "email": "", "step": "send", "section": "de",
        })  # fmt: skip
    assert sent.status_code == 302, sent.content.decode()[-2000:]
    appeal = Appeal.objects.get()
    assert (appeal.action, appeal.target) == (seed_action, embassy)
    assert appeal.body.startswith("Exzellenz,")


def test_a_section_cannot_shorten_the_deadline(seed_action, german):
    german.deadline = SEED_DEADLINE - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="only be later"):
        german.full_clean()


def test_the_actions_admin_shows_only_its_own_targets(staff_client, seed_action, german):
    with at(datetime.date(2022, 9, 1)):
        page = staff_client.get(
            reverse("admin:actions_action_change", args=[seed_action.pk])
        ).content.decode()
    assert "Botschafter der VR China" not in page and "Xi Jinping" in page
    with at(datetime.date(2022, 9, 1)):
        section_page = staff_client.get(reverse("admin:actions_localisation_change", args=[german.pk]))
    assert "Botschafter der VR China" in section_page.content.decode()


def test_write_to_the_next_person_from_a_sections_page_reaches_the_sections_official(
    client, seed_action, german
):
    """Written from the section's page to the action's own official, the sent page offers the section's
    official next; its link opens the section's form with him ticked and the writer carried over, and
    the form sent as it stands makes a second letter of the same supporter, on their data page and
    erased with the first."""
    xi, embassy = seed_action.targets.get(name="Xi Jinping"), Target.objects.get(localisation=german)
    compose = reverse("appeals:compose", args=[seed_action.slug])
    # After the action's own deadline: the section's later one is what counts, for both letters.
    with at(SEED_DEADLINE + datetime.timedelta(days=3)):
        first = client.post(compose, {
            "key": str(uuid.uuid4()), "targets": [xi.pk], "channel": "post", "language": "de",
            "body": "Bitte lassen Sie alle frei.", "name": "Anna Weber", "town": "Köln", "country": "DE",
            "email": "anna@example.org", "step": "send", "section": "de",
        })  # fmt: skip
        assert first.status_code == 302, first.content.decode()[-2000:]
        sent = client.get(first["Location"]).content.decode()
        [link] = re.findall(r'<a href="([^"]*)">Write to Botschafter der VR China</a>', sent)
        link = link.replace("&amp;", "&")
        assert "anna" not in link.lower()  # the writer comes from their browser's cookie, not the URL
        html = client.get(link).content.decode()
        assert re.search(rf'value="{embassy.pk}"[^>]*checked', html), "the section's official is ticked"
        assert not re.search(rf'value="{xi.pk}"[^>]*checked', html)
        for name, value in [("name", "Anna Weber"), ("town", "Köln"), ("email", "anna@example.org")]:
            assert re.search(rf'name="{name}"[^>]*value="{value}"', html), name
        assert re.search(r'<option value="DE" selected>', html)

        # The form sent as the page stands (preview, then send), nothing typed again.
        preview = client.post(compose, form_submitted(html, compose, ("step", "preview")))
        assert preview.status_code == 200, preview.content.decode()[-2000:]
        second = client.post(compose, form_submitted(preview.content.decode(), compose, ("step", "send")))
        assert second.status_code == 302, second.content.decode()[-2000:]
        for appeal in Appeal.objects.all():
            confirm(appeal.submission)
        letters = {a.target: a for a in Appeal.objects.all()}
        assert set(letters) == {xi, embassy}
        assert letters[embassy].supporter_name == "Anna Weber"
        assert letters[embassy].supporter_country == "DE"
        assert letters[embassy].status == letters[xi].status == "awaiting"  # neither withdrawn as closed
        [supporter] = {a.supporter for a in letters.values()}
        assert supporter is not None and supporter.email == "anna@example.org"

        own_page = urlsplit(data_url(supporter)).path
        data = client.get(own_page).content.decode()
        assert "Xi Jinping" in data and "Botschafter der VR China" in data
        assert client.post(own_page.rstrip("/") + "/erase/", {"confirm": "yes"}).status_code == 302
    assert not Supporter.objects.exists()
    for appeal in Appeal.objects.all():
        assert (appeal.supporter, appeal.supporter_name, appeal.body) == (None, "", "")
