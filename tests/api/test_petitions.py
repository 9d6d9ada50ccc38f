"""Petitions and their confirmed signatures through the API."""

import pytest
from django.utils import timezone

from tests.api.helpers import send
from uadesk.staff.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def petition(open_action):
    from uadesk.petitions.models import Petition

    return Petition.objects.create(action=open_action, slug="free-them", title="Free them", text="We ask.")


def sign(petition, name: str, email: str, *, confirmed: bool):
    from uadesk.petitions.models import Signature
    from uadesk.supporters.models import Supporter

    return Signature.objects.create(
        petition=petition, supporter=Supporter.for_email(email), name=name, country="FR", household_place=1,
        confirmed_at=timezone.now() if confirmed else None,
    )  # fmt: skip


def test_petitions_are_public_with_their_count_and_no_names(client, petition):
    sign(petition, "Ana Lima", "ana@example.org", confirmed=True)
    sign(petition, "Bo Chen", "bo@example.org", confirmed=False)
    data = client.get("/api/petitions").json()
    [listed] = data["_embedded"]["osdi:petitions"]
    assert (listed["slug"], listed["total_signatures"], listed["action"]) == (
        "free-them",
        1,
        petition.action.slug,
    )
    assert b"Ana" not in client.get("/api/petitions/free-them").content


def test_a_write_token_creates_and_changes_petitions(client, make_token, open_action):
    writer = make_token("write")
    body = {
        "slug": "letters",
        "title": "Letters",
        "petition_text": "Release them.",
        "action": open_action.slug,
    }
    response = send(client, "POST", "/api/petitions", body, auth=writer)
    assert response.status_code == 201, response.content
    assert send(client, "POST", "/api/petitions", body, auth=writer).status_code == 409
    both = body | {"slug": "both", "campaign": "nope"}
    assert send(client, "POST", "/api/petitions", both, auth=writer).json()["error"]["field"] == "campaign"
    changed = send(client, "PATCH", "/api/petitions/letters", {"goal": 5000, "accepting": False}, auth=writer)
    assert changed.json()["goal"] == 5000 and changed.json()["is_open"] is False
    assert send(client, "PATCH", "/api/petitions/letters", {"goal": 0}, auth=writer).status_code == 422


def test_signatures_need_the_personal_data_scope_and_are_audited(client, make_token, petition):
    sign(petition, "Ana Lima", "ana@example.org", confirmed=True)
    sign(petition, "Bo Chen", "bo@example.org", confirmed=False)
    url = "/api/petitions/free-them/signatures"
    assert client.get(url, HTTP_AUTHORIZATION=make_token("read", "write")).status_code == 403
    response = client.get(url, HTTP_AUTHORIZATION=make_token("personal_data"))
    [signature] = response.json()["_embedded"]["osdi:signatures"]
    assert (signature["name"], signature["email"]) == ("Ana Lima", "ana@example.org")
    entry = AuditEntry.objects.get()
    assert (entry.code, entry.detail["records"]) == ("uadesk.api.read", 1)
