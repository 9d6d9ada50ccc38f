"""The link to a supporter's data page: signed, in their language; dead if forged, old, renewed or erased."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from uadesk.supporters import links
from uadesk.supporters.models import Supporter
from uadesk.supporters.services import erase

pytestmark = pytest.mark.django_db


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_the_link_opens_the_page_of_its_supporter_in_their_language(client, ana):
    url = links.data_url(ana)
    assert url.startswith(f"{settings.LINK_BASE_URL}/fr/supporters/data/")
    url = url.removeprefix(settings.LINK_BASE_URL)
    assert links.supporter_for(token_of(url)) == ana
    response = client.get(url)
    assert response.status_code == 200
    assert "Ana.Silva@example.org" in response.content.decode()


def test_the_link_is_absolute_with_the_site_url(settings, ana):
    settings.LINK_BASE_URL = "https://desk.example.org"
    ana.language = ""
    assert links.data_url(ana).startswith("https://desk.example.org/en/supporters/data/")


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, pk: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature changed
        lambda token, pk: signing.dumps([pk + 1, "guessed"], salt=links.SALT),  # not this desk's key
        lambda token, pk: signing.dumps([pk, "guessed"], salt=links.SALT),  # right row, wrong link key
        lambda token, pk: signing.dumps([pk, "x"], salt="another.salt"),
        lambda token, pk: signing.dumps({"pk": pk}, salt=links.SALT),
        lambda token, pk: "not-a-token",
    ],
)
def test_a_forged_link_opens_nothing(client, ana, forge):
    token = forge(links.token_for(ana), ana.pk)
    with pytest.raises(links.LinkInvalid):
        links.supporter_for(token)
    response = client.get(reverse("supporters:data", args=[token]))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert "Ana" not in response.content.decode()


def test_a_link_made_with_another_secret_key_opens_nothing(settings, ana):
    settings.SECRET_KEY = "another desk's secret key, long enough to be a real one"
    token = links.token_for(ana)
    settings.SECRET_KEY = "this desk's secret key, long enough to be a real one too"
    with pytest.raises(links.LinkInvalid):
        links.supporter_for(token)


def test_a_link_expires_after_the_set_days(client, settings, ana):
    settings.SUPPORTER_LINK_MAX_AGE_DAYS = 365
    url = links.data_url(ana)
    with time_machine.travel(datetime.timedelta(days=364)):
        assert client.get(url).status_code == 200
    with time_machine.travel(datetime.timedelta(days=366)):
        response = client.get(url)
    assert response.status_code == 404
    with translation.override("fr"):  # Ana reads in French
        assert escape(gettext("This link is too old.")) in response.content.decode()


def test_a_new_link_ends_the_old_ones(client, ana):
    old = links.data_url(ana)
    ana.renew_link_key()
    assert client.get(old).status_code == 404
    assert client.get(links.data_url(Supporter.objects.get(pk=ana.pk))).status_code == 200


def test_erasure_ends_the_link(client, ana):
    url = links.data_url(ana)
    erase(ana, by="supporter")
    assert client.get(url).status_code == 404
