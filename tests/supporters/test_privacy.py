"""Every form that takes personal data says beside its button who keeps it, for what and how long, and
links the privacy notice, which staff write per language; every page's footer links it and "Your data"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import at
from uadesk.supporters.models import PrivacyNotice

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)


def test_every_form_that_takes_personal_data_says_who_keeps_it_and_why(
    client, seed_action, petition, settings
):
    settings.ORGANISATION_NAME = "Amnesty Lyon"
    pages = {
        "letters": reverse("appeals:compose", kwargs={"slug": seed_action.slug}),
        "reminder": seed_action.get_absolute_url(),
        "signature": petition.get_absolute_url(),
        "link": reverse("supporters:link"),
    }
    for purpose, path in pages.items():
        with at(OPEN_DAY):
            html = client.get(path).content.decode()
        note = html.split('<p class="collects">', 1)[1].split("</p>", 1)[0]
        assert "Amnesty Lyon" in note and "24 months" in note, purpose
        assert reverse("supporters:privacy") in note, purpose
    assert "count your signature" in client.get(pages["signature"]).content.decode()


def test_every_page_links_the_privacy_notice_and_your_data(client, seed_action):
    for path in ["/", seed_action.get_absolute_url(), reverse("supporters:privacy")]:
        footer = client.get(path, follow=True).content.decode().split('<footer class="site">', 1)[1]
        assert reverse("supporters:privacy") in footer and reverse("supporters:link") in footer


def test_the_notice_is_the_one_staff_wrote_in_the_readers_language(client, settings):
    settings.ORGANISATION_NAME = "Amnesty Lyon"
    built_in = client.get(reverse("supporters:privacy")).content.decode()
    assert "Amnesty Lyon runs this site" in built_in
    PrivacyNotice.objects.create(language="en", text="We are Amnesty Lyon, 12 rue X.")
    PrivacyNotice.objects.create(language="fr", text="Nous sommes Amnesty Lyon, 12 rue X.")
    with translation.override("fr"):
        french = client.get(reverse("supporters:privacy")).content.decode()
    with translation.override("es"):
        spanish = client.get(reverse("supporters:privacy")).content.decode()  # none in Spanish: English
    assert "Nous sommes Amnesty Lyon" in french
    assert "We are Amnesty Lyon" in spanish
