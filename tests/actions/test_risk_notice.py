"""A risk notice staff set on an action: shown before writing and signing, the desk's advice in the
reader's language and staff's own words marked in the case's; nothing where none is set."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.actions.test_admin import action_form, post
from uadesk.actions.models import Action
from uadesk.petitions.models import Petition

pytestmark = pytest.mark.django_db

HEADING = "Writing about this case can put you or your family at risk."
STAFF_TEXT = "Uyghurs abroad: relatives in Xinjiang have been questioned over letters like these."


@pytest.fixture
def petition_of_the_action(open_action):
    return Petition.objects.create(action=open_action, slug="free-them", title="Free them", text="We ask.")


def pages(client, action, petition, language="en") -> dict[str, str]:
    """The action page, the letter form and the petition's signing form, in the reader's language."""
    with translation.override(language):
        urls = {
            "action": action.get_absolute_url(),
            "compose": reverse("appeals:compose", kwargs={"slug": action.slug}),
            "sign": petition.get_absolute_url(),
        }
    answers = {name: client.get(url) for name, url in urls.items()}
    assert all(a.status_code == 200 for a in answers.values()), {n: a.status_code for n, a in answers.items()}
    return {name: answer.content.decode() for name, answer in answers.items()}


def test_each_page_shows_the_notice_before_its_form(client, open_action, petition_of_the_action):
    open_action.risk_notice = STAFF_TEXT
    open_action.save()
    for name, html in pages(client, open_action, petition_of_the_action).items():
        assert HEADING in html, name
        assert "sign your letter with your initials and your town only" in html, name
        assert STAFF_TEXT in html, name
        # Before writing and signing: ahead of the way to the letter form, and of each form.
        form = {
            "action": reverse("appeals:compose", kwargs={"slug": open_action.slug}),
            "compose": 'class="compose"',
            "sign": 'class="sign"',
        }[name]
        assert html.index(STAFF_TEXT) < html.index(form), name


def test_a_blank_notice_shows_nothing(client, open_action, petition_of_the_action):
    assert open_action.risk_notice == ""
    for name, html in pages(client, open_action, petition_of_the_action).items():
        assert HEADING not in html and "notice risk" not in html, name


def test_in_another_language_the_staffs_words_carry_the_cases_language(
    client, open_action, petition_of_the_action
):
    open_action.risk_notice = STAFF_TEXT
    open_action.save()
    assert open_action.case_language == "en"
    for name, html in pages(client, open_action, petition_of_the_action, language="ar").items():
        assert '<html lang="ar" dir="rtl">' in html, name
        marked = re.search(r'<div class="risk-text" lang="en" dir="ltr">\s*<p>([^<]*)</p>', html)
        assert marked and marked[1] == STAFF_TEXT, name


def test_a_petition_of_a_campaign_has_no_action_and_no_notice(client, petition):
    html = client.get(petition.get_absolute_url()).content.decode()
    assert petition.action is None and "notice risk" not in html


def test_staff_set_the_notice_in_the_actions_form(staff_client):
    response = post(staff_client, action_form(risk_notice=STAFF_TEXT))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Action.objects.get(slug="release-the-students").risk_notice == STAFF_TEXT
    page = staff_client.get(reverse("admin:actions_action_change", args=[Action.objects.get().pk]))
    assert 'name="risk_notice"' in page.content.decode()
