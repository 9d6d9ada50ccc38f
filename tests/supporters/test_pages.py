"""The supporter's own pages: what we hold in plain words, the download, erasure with a confirmation."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from uadesk.supporters.links import data_url, token_for
from uadesk.supporters.models import Erasure, Supporter

pytestmark = pytest.mark.django_db


def test_the_page_shows_everything_held_about_them_and_nothing_of_others(client, ana):
    response = client.get(data_url(ana))
    html = response.content.decode()
    assert response.status_code == 200
    for held in ["Ana.Silva@example.org", "Free Ilham Tohti", "Ana Silva", "Signatures", "Signed at"]:
        assert held in html, held
    assert "Ben Okafor" not in html and "ben@example.org" not in html
    # Personal data: never kept by a browser cache or a proxy, never indexed.
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert "://" not in html  # nothing loaded from, or linked to, another site


def test_the_page_is_in_the_supporters_language(client, ana):
    html = client.get(data_url(ana)).content.decode()
    assert '<html lang="fr"' in html
    assert "5 janvier 2026, 09:30" in html  # the holder's time of signing, in plain words


def test_download_is_a_json_file_of_everything_held(client, ana):
    response = client.get(reverse("supporters:download", args=[token_for(ana)]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["supporter"]["email"] == "Ana.Silva@example.org"
    assert data["supporter"]["language"] == "fr"
    assert {"first_seen", "last_active"} <= data["supporter"].keys()
    [signature] = data["tests.supporters.holder"]["signatures"]
    assert signature["signed_at"].startswith("2026-01-05T09:30:00")
    del signature["signed_at"]
    assert signature == {
        "petition": "Free Ilham Tohti",
        "name": "Ana Silva",
        "country": "FR",
        "updates": True,
    }


def test_erasure_asks_first_then_erases_and_the_counts_stay(client, ana, holder):
    token = token_for(ana)
    url = reverse("supporters:erase", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "Yes, erase my data" in page.content.decode()
    # A POST without the confirmation (say, a crafted form) only asks again.
    assert client.post(url).status_code == 400
    assert Supporter.objects.filter(pk=ana.pk).exists()

    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("supporters:erased")
    assert "Your data is erased" in client.get(response["Location"]).content.decode()
    assert not Supporter.objects.filter(pk=ana.pk).exists()
    assert holder.count("Free Ilham Tohti") == 2
    assert "Ana Silva" not in {s["name"] for s in holder.SIGNATURES}
    assert "Ben Okafor" in {s["name"] for s in holder.SIGNATURES}
    assert Erasure.objects.get().by == "supporter" and Erasure.objects.get().count == 1
    # Posted again (a double click): nothing more happens.
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    assert Erasure.objects.get().count == 1


def test_erasure_needs_the_csrf_token(ana):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("supporters:erase", args=[token_for(ana)]), {"confirm": "yes"})
    assert response.status_code == 403
    assert Supporter.objects.filter(pk=ana.pk).exists()


def test_the_page_and_download_work_with_the_desks_own_holders(client, db):
    # No test holder: the apps of SUPPORTER_DATA_HOLDERS as configured.
    supporter = Supporter.for_email("grace@example.org")
    assert client.get(data_url(supporter)).status_code == 200
    download = client.get(reverse("supporters:download", args=[token_for(supporter)]))
    assert json.loads(download.content)["supporter"]["email"] == "grace@example.org"
