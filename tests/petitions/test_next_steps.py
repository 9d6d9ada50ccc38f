"""After signing: the petition's link to pass on and a letter to write; the confirmation names the
petition; the home page lists the petitions open for signatures."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import at
from uadesk.actions.models import Action
from uadesk.petitions.models import Petition, Signature

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)


def share_link(page: str) -> str:
    return html.unescape(re.search(r'<input type="text" id="share-link" value="([^"]+)"', page).group(1))


def letter_links(page: str) -> list[str]:
    return re.findall(r'<a class="button send" href="([^"]+)">Write a letter: ([^<]+)</a>', page)


@pytest.fixture
def action_petition(seed_action):
    return Petition.objects.create(
        action=seed_action, slug="close-the-camps", title="Close the camps", text="Close them.", goal=5
    )


def thanks(client, petition) -> str:
    with at(OPEN_DAY):
        response = client.get(reverse("petitions:thanks", kwargs={"slug": petition.slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_thanks_page_offers_the_link_to_copy_and_a_letter_to_write(client, action_petition, seed_action):
    page = thanks(client, action_petition)
    # The link opens in the language of whoever it is passed to, on the desk's own address.
    assert share_link(page) == "http://testserver/petitions/close-the-camps/"
    assert 'data-copy="share-link" hidden>Copy the link</button>' in page  # shown by the script
    assert '<script src="/static/petitions/share.js" defer></script>' in page
    assert letter_links(page) == [(f"/en/actions/{seed_action.slug}/write/", seed_action.title)]


def test_the_link_is_on_the_sites_address_where_it_is_set(client, action_petition, settings):
    settings.SITE_URL = "https://desk.example.org"
    assert (
        share_link(thanks(client, action_petition)) == "https://desk.example.org/petitions/close-the-camps/"
    )


def test_a_campaign_petition_leads_to_the_campaigns_open_actions(client, petition, seed_action):
    assert "See the open Urgent Actions" in thanks(client, petition)  # no action of its own yet
    seed_action.campaign = petition.campaign
    seed_action.save()
    write = f"/en/actions/{seed_action.slug}/write/"
    assert letter_links(thanks(client, petition)) == [(write, seed_action.title)]
    with at(datetime.date(2022, 9, 24)):  # the action closed: nothing to write for
        assert petition.actions_to_write_for() == []


def signature_link(petition) -> str:
    signature = Signature.objects.create(
        petition=petition, name="Ada Lovelace", country="GB", household_place=1
    )
    return reverse("petitions:confirm", kwargs={"token": signature.new_link_token()})


def test_the_confirmation_page_names_the_petition(client, action_petition):
    link = signature_link(action_petition)
    with at(OPEN_DAY):
        asked = client.get(link).content.decode()
        confirmed = client.post(link).content.decode()
    assert "You are signing the petition “Close the camps”." in asked
    assert "<title>Confirm your signature · Close the camps" in asked
    assert "Thank you: your signature counts" in confirmed and "Close the camps" in confirmed
    assert share_link(confirmed) == "http://testserver/petitions/close-the-camps/"
    assert len(letter_links(confirmed)) == 1


def test_a_used_or_unknown_link_says_so_before_the_button(client, action_petition):
    link = signature_link(action_petition)
    with at(OPEN_DAY):
        client.post(link)
        used = client.get(link)
        unknown = client.get(reverse("petitions:confirm", kwargs={"token": "not-a-token"}))
    for response in (used, unknown):
        assert response.status_code == 410
        assert "This link has been used or has expired" in response.content.decode()


def test_the_home_page_lists_the_open_petitions_only(client, seed_action, petition, action_petition):
    closed_by_staff = Petition.objects.create(
        campaign=petition.campaign, slug="closed", title="Closed by staff", text="T", accepting=False
    )
    past_closing = Petition.objects.create(
        campaign=petition.campaign, slug="past", title="Past its closing time", text="T",
        closes_at=datetime.datetime(2022, 8, 31, tzinfo=datetime.UTC),
    )  # fmt: skip
    draft = Action.objects.create(slug="draft", title="Draft", summary="S", status=Action.Status.DRAFT)
    of_a_draft = Petition.objects.create(action=draft, slug="of-a-draft", title="Of a draft action", text="T")
    with at(OPEN_DAY):
        page = client.get(reverse("actions:list")).content.decode()
        listed = Petition.objects.public().open()
        assert {p.slug for p in listed} == {
            p.slug for p in Petition.objects.public() if p.is_open(timezone.now())
        }
    section = page.split('id="petitions-heading"', 1)[1].split("</section>", 1)[0]
    assert "Open petitions" in page
    assert f'href="{petition.get_absolute_url()}"' in section and "Release Ilham Tohti" in section
    assert f'href="{action_petition.get_absolute_url()}"' in section and "0 signatures" in section
    for hidden in (closed_by_staff, past_closing, of_a_draft):
        assert hidden.title not in page

    with at(datetime.date(2022, 9, 24)):  # the seed action closed, and its petition with it
        page = client.get(reverse("actions:list")).content.decode()
    assert "Release Ilham Tohti" in page and "Close the camps" not in page


def test_no_open_petition_no_section(client, seed_action):
    with at(OPEN_DAY):
        page = client.get(reverse("actions:list")).content.decode()
    assert 'id="petitions-heading"' not in page
