"""Reading without a token: published actions only, pages, filters, ETags, and no supporter's data."""

import datetime
import json

import pytest
from django.utils import timezone

from tests.api.helpers import counted_appeal
from uadesk.actions.models import Action

pytestmark = pytest.mark.django_db
LIST = "/api/advocacy_campaigns"


def test_the_list_shows_published_actions_and_never_drafts(client, open_action, draft_action):
    response = client.get(LIST)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    slugs = [c["slug"] for c in response.json()["_embedded"]["osdi:advocacy_campaigns"]]
    assert slugs == [open_action.slug]
    assert client.get(f"{LIST}/{draft_action.slug}").status_code == 404
    assert client.get(f"{LIST}/{draft_action.slug}/targets").status_code == 404
    assert client.get(f"{LIST}/{draft_action.slug}/export").status_code == 404


def test_a_campaign_carries_targets_letters_and_the_count_but_no_supporter(client, open_action):
    counted_appeal(open_action, name="Ana Lima", email="ana@example.org")
    counted_appeal(open_action, name="Not counted", email="nc@example.org", status="queued", channel="email")
    response = client.get(f"{LIST}/{open_action.slug}")
    campaign = response.json()
    assert campaign["total_outreaches"] == 1
    assert campaign["status"] == "published" and campaign["is_open"] is True
    assert {t["name"] for t in campaign["targets"]} >= {"Xi Jinping"}
    assert campaign["letters"][0]["body"].strip()
    assert campaign["browser_url"] == "http://testserver" + open_action.get_absolute_url()
    text = response.content.decode()
    assert "ana@example.org" not in text and "Ana Lima" not in text and "Porto" not in text


def test_outreaches_count_only_what_went_out(client, open_action):
    counted_appeal(open_action, email="a@example.org")
    counted_appeal(open_action, email="b@example.org", channel="mailto", status="sent_by_supporter")
    counted_appeal(open_action, email="c@example.org", channel="email", status="failed")
    data = client.get(f"{LIST}/{open_action.slug}/outreaches").json()
    assert data["total_outreaches"] == 2
    assert data["by_channel"] == [{"channel": "mailto", "total": 1}, {"channel": "post", "total": 1}]
    assert "a@example.org" not in json.dumps(data)


def make_actions(count: int) -> list[Action]:
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    return [
        Action.objects.create(
            slug=f"ua-{n}", title=f"UA {n}", summary="S", deadline=deadline, status="published"
        )
        for n in range(count)
    ]


def test_pages_link_to_each_other_in_the_body_and_the_link_header(client, db):
    make_actions(5)
    first = client.get(LIST, {"per_page": 2})
    data = first.json()
    assert (data["total_records"], data["total_pages"], data["page"]) == (5, 3, 1)
    assert data["_links"]["prev"] is None
    assert 'rel="next"' in first["Link"] and "page=2" in first["Link"]
    seen = [c["slug"] for c in data["_embedded"]["osdi:advocacy_campaigns"]]
    url = data["_links"]["next"]
    while url:
        data = client.get(url).json()
        seen += [c["slug"] for c in data["_embedded"]["osdi:advocacy_campaigns"]]
        url = data["_links"]["next"]
    assert sorted(seen) == [f"ua-{n}" for n in range(5)]
    assert data["page"] == 3 and data["_links"]["prev"]


def test_modified_since_and_status_filter(client, db):
    old, new = make_actions(2)
    Action.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3), status="closed"
    )
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    slugs = lambda r: [c["slug"] for c in r.json()["_embedded"]["osdi:advocacy_campaigns"]]  # noqa: E731
    assert slugs(client.get(LIST, {"modified_since": since})) == [new.slug]
    assert slugs(client.get(LIST, {"status": "closed"})) == [old.slug]
    assert slugs(client.get(LIST, {"modified_since": "2000-01-01"})) == [new.slug, old.slug]
    # Offsets PostgreSQL would refuse (over 15:59) are taken, as UTC; moments before year 1 are not.
    assert slugs(client.get(LIST, {"modified_since": "0266-05-01T21:32:20+19:34"})) == [new.slug, old.slug]
    assert client.get(LIST, {"modified_since": "0001-01-01T00:00:00+01:00"}).status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"per_page": "101"}, "per_page"),
        ({"modified_since": "yesterday"}, "modified_since"),
        ({"status": "deleted"}, "status"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(client, db, query, field):
    response = client.get(LIST, query)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_etag_gives_304_until_the_action_changes(client, open_action):
    url = f"{LIST}/{open_action.slug}"
    first = client.get(url)
    assert first["Cache-Control"] == "public, max-age=60"
    etag = first["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    open_action.title = "Changed"
    open_action.save()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_errors_are_json_never_html(client, db, monkeypatch):
    for path in ["/api/nothing", "/api/advocacy_campaigns/", "/api/advocacy_campaigns/a/b/c/d"]:
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    response = client.put(LIST)
    assert response.status_code == 405 and response["Allow"] == "GET, POST"
    assert response.json()["error"]["code"] == "method_not_allowed"

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("uadesk.api.services.actions_queryset", broken)
    response = client.get(LIST)
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "Something went wrong on the desk; it is logged.",
            "field": None,
        }
    }
    assert "RuntimeError" not in response.content.decode()


def test_an_unknown_parameter_is_refused_rather_than_ignored(client, open_action):
    response = client.get(LIST, {"stauts": "closed"})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "unknown_parameter", "message": "stauts is not a parameter here.", "field": "stauts"
    }  # fmt: skip
    assert client.get(f"{LIST}/{open_action.slug}", {"page": "1"}).status_code == 400
