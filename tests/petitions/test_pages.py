"""The count: confirmed signatures only, in the page, the widget and the JSON; the widget may be framed."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone, translation

from uadesk.petitions.models import Petition, Signature
from uadesk.supporters.models import Supporter


def add_signatures(petition, confirmed: int, unconfirmed: int = 0):
    for n in range(confirmed + unconfirmed):
        Signature.objects.create(
            petition=petition, supporter=Supporter.for_email(f"s{n}@example.org"), name=f"Signer {n}",
            country="FR", household_place=1, confirmed_at=timezone.now() if n < confirmed else None,
        )  # fmt: skip
    cache.delete(petition.count_cache_key)


def test_the_count_is_of_confirmed_signatures_with_progress_to_the_goal(client, petition):
    add_signatures(petition, confirmed=4, unconfirmed=3)
    assert petition.count() == 4 and petition.progress() == 40
    page = client.get(petition.get_absolute_url()).content.decode()
    assert "4 signatures" in page and 'value="40"' in page


def test_the_count_json(client, petition):
    add_signatures(petition, confirmed=2, unconfirmed=1)
    response = client.get(f"/petitions/{petition.slug}/count.json")
    assert json.loads(response.content) == {"petition": petition.slug, "count": 2, "goal": 10, "open": True}
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_widget_may_be_framed_and_no_other_page_may(client, petition):
    widget = client.get(reverse("petitions:widget", kwargs={"slug": petition.slug}))
    assert widget.status_code == 200
    assert "X-Frame-Options" not in widget and "frame-ancestors *" in widget["Content-Security-Policy"]
    assert "frame-ancestors *" not in client.get(petition.get_absolute_url()).get(
        "Content-Security-Policy", ""
    )
    assert 'target="_blank"' in widget.content.decode()
    assert client.get(petition.get_absolute_url())["X-Frame-Options"] == "DENY"


def test_the_summary_snippet_for_action_pages(petition):
    from django.template.loader import render_to_string

    html = render_to_string("petitions/_summary.html", {"petition": petition})
    assert petition.get_absolute_url() in html and "Sign the petition" in html


def test_a_petition_of_a_draft_action_is_not_shown(client, seed_action):
    seed_action.status = "draft"
    seed_action.save()
    petition = Petition.objects.create(action=seed_action, slug="draft-p", title="P", text="T")
    assert client.get(petition.get_absolute_url()).status_code == 404


def test_a_petition_belongs_to_a_campaign_or_an_action_never_both(petition, seed_action):
    with pytest.raises(IntegrityError):
        Petition.objects.filter(pk=petition.pk).update(action=seed_action)


def test_the_closing_time_closes_it(petition):
    petition.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    assert not petition.is_open()


@pytest.mark.parametrize(
    ("language", "goal"), [("en", "12,500"), ("fr", "12\xa0500"), ("es", "12\xa0500"), ("zh-hans", "12500")]
)
def test_numbers_are_written_for_the_readers_language(client, petition, language, goal):
    petition.goal = 12500
    petition.save()
    with translation.override(language):
        html = client.get(petition.get_absolute_url()).content.decode()
    assert goal in html
