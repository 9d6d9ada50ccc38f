"""Writing with a write token: actions from UA documents, their fields, publishing, and targets."""

import copy
import datetime
import json

import pytest
from django.utils import timezone

from tests.api.helpers import counted_appeal, send
from uadesk.actions.models import Action, Target
from uadesk.api.models import ApiToken
from uadesk.staff.models import AuditEntry

pytestmark = pytest.mark.django_db
LIST = "/api/advocacy_campaigns"


@pytest.fixture
def writer(make_token):
    return make_token("read", "write")


@pytest.fixture
def document(client, open_action):
    return client.get(f"{LIST}/{open_action.slug}/export").json()


def fresh(document: dict, title: str = "A new UA on this desk") -> dict:
    new = copy.deepcopy(document)
    new["title"] = title
    new["deadline"] = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    return new


def test_a_document_becomes_a_draft_then_published(client, writer, document):
    response = send(client, "POST", LIST + "?letter_language=en", fresh(document), auth=writer)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft" and response["Location"] == f"{LIST}/{created['slug']}"
    assert len(created["targets"]) == len(document["targets"])
    assert client.get(response["Location"]).status_code == 404  # a draft, invisible without a token
    published = send(client, "POST", f"{LIST}/{created['slug']}/publish", auth=writer)
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert client.get(response["Location"]).json()["published_date"]
    # Both changes are in the audit log with the token that made them; the reads and a refused
    # write are not.
    assert send(client, "POST", LIST, {"title": "no deadline"}, auth=writer).status_code == 422
    logged = list(AuditEntry.objects.order_by("pk").values_list("code", "actor", "detail"))
    token = ApiToken.objects.get()
    assert logged == [
        (
            "uadesk.api.changed",
            str(token),
            {"method": "POST", "path": LIST + "?letter_language=en", "token": token.pk},
        ),
        (
            "uadesk.api.changed",
            str(token),
            {"method": "POST", "path": f"{LIST}/{created['slug']}/publish", "token": token.pk},
        ),
    ]


def test_the_same_document_twice_is_a_conflict(client, writer, document):
    assert send(client, "POST", LIST, fresh(document), auth=writer).status_code == 201
    again = send(client, "POST", LIST, fresh(document), auth=writer)
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("title"), "title"),
        (lambda d: d.update(deadline="23/09/2022"), "deadline"),
        (lambda d: d["targets"][0].update(emails="x@example.org"), "targets[0].emails"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d.update(summary="nul\x00byte"), "summary"),
    ],
)
def test_a_bad_document_is_422_naming_the_field(client, writer, document, change, field):
    bad = fresh(document)
    change(bad)
    response = send(client, "POST", LIST, bad, auth=writer)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert Action.objects.count() == 1


def test_bodies_are_checked_before_anything_else(client, writer, settings):
    assert send(client, "POST", LIST, "title=x", auth=writer, content_type="text/plain").status_code == 415
    assert send(client, "POST", LIST, "{not json", auth=writer, content_type="text/csv").status_code == 415
    response = client.post(LIST, "{not json", content_type="application/json", HTTP_AUTHORIZATION=writer)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"
    assert send(client, "POST", LIST, [1, 2], auth=writer).status_code == 422
    settings.API_MAX_BODY_BYTES = 100
    response = send(client, "POST", LIST, {"title": "x" * 200}, auth=writer)
    assert response.status_code == 413


def test_patch_changes_fields_through_the_models_rules(client, writer, open_action):
    url = f"{LIST}/{open_action.slug}"
    response = send(
        client, "PATCH", url, {"title": "New title", "asks": ["Release them", "Let them call"]}, auth=writer
    )
    assert response.status_code == 200
    open_action.refresh_from_db()
    assert open_action.title == "New title" and open_action.ask_list == ["Release them", "Let them call"]
    bad = send(client, "PATCH", url, {"preferred_languages": ["Chinese"]}, auth=writer)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "preferred_languages"
    extension = send(client, "PATCH", url, {"deadline_extended_to": "2099-01-01"}, auth=writer)
    assert extension.json()["error"]["field"] == "deadline_extension_reason"
    wrong_type = send(client, "PATCH", url, {"deadline": 20991231}, auth=writer)
    assert wrong_type.status_code == 422 and wrong_type.json()["error"]["field"] == "deadline"
    assert (
        send(client, "PATCH", url, {"status": "draft"}, auth=writer).json()["error"]["code"]
        == "unknown_field"
    )
    open_action.refresh_from_db()
    assert open_action.title == "New title" and open_action.status == "published"


def test_publishing_follows_the_staff_desks_rules(client, writer, draft_action, open_action):
    incomplete = send(client, "POST", f"{LIST}/{draft_action.slug}/publish", auth=writer)
    assert incomplete.status_code == 422 and incomplete.json()["error"]["field"] == "targets"
    Action.objects.filter(pk=open_action.pk).update(status="closed")
    closed = send(client, "POST", f"{LIST}/{open_action.slug}/publish", auth=writer)
    assert closed.status_code == 409
    Action.objects.filter(pk=open_action.pk).update(status="draft", deadline=datetime.date(2022, 9, 23))
    late = send(client, "POST", f"{LIST}/{open_action.slug}/publish", auth=writer)
    assert late.status_code == 422 and late.json()["error"]["field"] == "deadline"
    assert Action.objects.get(pk=open_action.pk).status == "draft"


def test_targets_are_created_changed_and_deleted_through_their_rules(client, writer, open_action):
    url = f"{LIST}/{open_action.slug}/targets"
    before = client.get(f"{LIST}/{open_action.slug}")["ETag"]
    embassy = {
        "name": "Ambassador Zheng Zeguang", "honorific": "H.E.", "role": "copy", "country": "gb",
        "address_lines": ["Embassy of the People's Republic of China", "49-51 Portland Place",
                          "London W1B 1JL"],
        "emails": ["press@chinese-embassy.org.uk"], "faxes": ["+44 20 7636 2981"],
    }  # fmt: skip
    response = send(client, "POST", url, embassy, auth=writer)
    assert response.status_code == 201, response.content
    target = response.json()
    assert target["country"] == "GB" and target["address_lines"][1] == "49-51 Portland Place"
    assert client.get(f"{LIST}/{open_action.slug}")["ETag"] != before
    one = f"{url}/{target['id']}"
    bad = send(client, "PATCH", one, {"emails": ["not an address"]}, auth=writer)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "emails"
    assert send(client, "PATCH", one, {"faxes": ["call me"]}, auth=writer).json()["error"]["field"] == "faxes"
    assert send(client, "PATCH", one, {"role": "boss"}, auth=writer).json()["error"]["field"] == "role"
    assert send(client, "PATCH", one, {"salutation": "Your Excellency"}, auth=writer).status_code == 200
    assert Target.objects.get(pk=target["id"]).salutation == "Your Excellency"
    missing_name = send(client, "POST", url, {"title": "Nobody"}, auth=writer)
    assert missing_name.status_code == 422 and missing_name.json()["error"]["field"] == "name"
    assert send(client, "DELETE", one, auth=writer).json() == {"deleted": True, "id": target["id"]}
    assert client.get(one).status_code == 404


def test_a_target_someone_wrote_to_stays(client, writer, open_action):
    appeal = counted_appeal(open_action)
    response = send(client, "DELETE", f"{LIST}/{open_action.slug}/targets/{appeal.target_id}", auth=writer)
    assert response.status_code == 409
    assert Target.objects.filter(pk=appeal.target_id).exists()


def test_another_actions_target_is_not_found(client, writer, open_action, draft_action):
    target = open_action.targets.first()
    assert (
        send(client, "PATCH", f"{LIST}/{draft_action.slug}/targets/{target.pk}", {}, auth=writer).status_code
        == 404
    )
    assert client.get(f"{LIST}/{open_action.slug}/targets/{2**60}").status_code == 404


def test_a_json_target_list_roundtrips_through_its_own_output(client, writer, open_action):
    url = f"{LIST}/{open_action.slug}/targets"
    target = client.get(url).json()["_embedded"]["osdi:targets"][0]
    copied = {k: v for k, v in target.items() if k not in ("id", "position")}
    response = send(client, "POST", url, copied, auth=writer)
    assert {k: v for k, v in response.json().items() if k not in ("id", "position")} == copied
    assert json.loads(json.dumps(copied)) == copied
