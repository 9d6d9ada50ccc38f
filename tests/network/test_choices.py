"""A member's choices, from their own page: reached from their data page by the same signed link, they
change their languages, channel (the postal address kept sealed), pace, countries, themes and a pause."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.network.member_fixtures import member_make, theme_make
from uadesk.network.models import Member
from uadesk.supporters.links import data_url, token_for

pytestmark = pytest.mark.django_db


def choices_path(member: Member) -> str:
    return reverse("network:member", kwargs={"token": token_for(member.supporter)})


def test_the_data_page_links_to_the_members_own_page(client):
    member = member_make("ada@example.org")
    page = urlsplit(data_url(member.supporter)).path
    data = client.get(page).content.decode()
    assert "Your network membership" in data and "You are a member" in data
    token = page.rstrip("/").rsplit("/", 1)[1]  # the same token opens their choices
    assert f'href="{reverse("network:member", kwargs={"token": token})}"' in data
    stranger = member_make("bea@example.org").supporter
    Member.objects.filter(supporter=stranger).delete()
    data = client.get(urlsplit(data_url(stranger)).path).content.decode()
    assert "You are not a member" in data and f'href="{reverse("network:join")}"' in data


def test_a_member_changes_every_choice(client, seed_action):
    theme = theme_make()
    member = member_make("ada@example.org", languages="en", most_per_30_days=1)
    path = choices_path(member)
    page = client.get(path)
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex"
    assert "no-store" in page["Cache-Control"]
    assert 'value="1" id="id_cases_1" checked>' in page.content.decode()  # their choice as it is
    later = timezone.localdate() + datetime.timedelta(days=30)
    answer = client.post(
        path,
        {"language": "ar", "other_languages": ["fr", "en"], "channel": "post",
         "postal_address": "Ada Byron\n12 St James's Square\nLondon", "postcode": "SW1Y 4JH", "cases": "4",
         "countries": ["CN"], "themes": [theme.pk], "paused_until": later.isoformat()},
    )  # fmt: skip
    assert answer.status_code == 200 and "Your choices are saved." in answer.content.decode()
    member.refresh_from_db()
    chosen = (
        member.languages,
        member.channel,
        member.most_per_30_days,
        member.countries,
        member.paused_until,
    )
    assert chosen == ("ar, fr, en", "post", 4, "CN", later)
    assert list(member.themes.all()) == [theme]
    assert (
        member.postal_address == "Ada Byron\n12 St James's Square\nLondon" and member.postcode == "SW1Y 4JH"
    )
    assert b"St James" not in bytes(member.postal_sealed)
    assert member.is_paused() and not member.receives_mail()
    # The page shows the choices as saved.
    html = client.get(path).content.decode()
    assert "St James&#x27;s Square" in html and f'value="{later.isoformat()}"' in html

    # Back to email, no pause: the postal address is not kept any more.
    client.post(path, {"language": "ar", "channel": "email", "cases": ""})
    member.refresh_from_db()
    assert (member.channel, member.postal_sealed, member.postcode, member.most_per_30_days) == (
        "email",
        None,
        "",
        None,
    )
    assert member.paused_until is None and list(member.themes.all()) == [] and member.countries == ""


def test_bad_choices_are_form_errors_and_change_nothing(client, seed_action):
    member = member_make("ada@example.org")
    path = choices_path(member)
    past = client.post(path, {"language": "en", "channel": "email", "paused_until": "2020-01-01"})
    assert past.status_code == 400 and "Choose a day after today" in past.content.decode()
    post = client.post(path, {"language": "en", "channel": "post"})
    assert (
        post.status_code == 400
        and "Cases by post need your name and postal address." in post.content.decode()
    )
    unknown = client.post(path, {"language": "xx", "channel": "fax"})
    assert unknown.status_code == 400 and unknown.content.decode().count("Select a valid choice") == 2
    member.refresh_from_db()
    assert (member.channel, member.paused_until, member.languages) == ("email", None, "en")


def test_changing_choices_needs_the_pages_csrf_token(seed_action):
    member = member_make("ada@example.org")
    client = Client(enforce_csrf_checks=True)
    answer = client.post(choices_path(member), {"language": "fr", "channel": "email"})
    assert answer.status_code == 403
    member.refresh_from_db()
    assert member.languages == "en"


def test_a_forged_or_ended_link_opens_nothing(client):
    member = member_make("ada@example.org")
    path = choices_path(member)
    assert client.get(path.replace("/member/", "/member/x")).status_code == 404
    member.supporter.renew_link_key()  # a new data link ends the old ones
    assert client.get(path).status_code == 404


def test_a_member_waiting_for_confirmation_is_told_so(client):
    member = member_make("ada@example.org", status=Member.Status.PENDING)
    path = choices_path(member)
    html = client.get(path).content.decode()
    assert "You have not confirmed yet" in html
    assert f'href="{path}confirm/"' in html


def test_one_member_whatever_the_spelling_of_the_address(client, seed_action):
    member_make("ada.lovelace@gmail.com")
    client.post(
        reverse("network:join"),
        {"email": "Ada.Love.Lace+ua@googlemail.com", "language": "en", "channel": "email"},
    )
    assert Member.objects.count() == 1
