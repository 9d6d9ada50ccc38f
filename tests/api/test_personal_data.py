"""Writers' and signers' names and emails: only with the personal_data scope, and every call audited."""

import pytest

from tests.api.helpers import counted_appeal
from uadesk.api.models import ApiToken
from uadesk.staff.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_appeals_with_names_and_emails_are_audited(client, make_token, open_action):
    counted_appeal(open_action, name="Ana Lima", email="ana@example.org")
    counted_appeal(open_action, name="Bo Chen", email="bo@example.org")
    counted_appeal(open_action, name="Waiting", email="w@example.org", channel="email", status="queued")
    auth = make_token("personal_data", name="CRM of the Porto group")
    url = f"/api/advocacy_campaigns/{open_action.slug}/appeals?per_page=1"
    response = client.get(url, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["total_records"] == 2
    [appeal] = data["_embedded"]["osdi:outreaches"]
    assert (appeal["name"], appeal["email"], appeal["town"]) == ("Ana Lima", "ana@example.org", "Porto")
    [entry] = AuditEntry.objects.all()
    token = ApiToken.objects.get()
    assert (entry.code, entry.via, entry.actor, entry.user) == (
        "uadesk.api.read", "api", f"CRM of the Porto group ({token.prefix}…)", None,
    )  # fmt: skip
    assert entry.detail == {"method": "GET", "path": url, "records": 1, "token": token.pk}


def test_refused_calls_return_no_data_and_leave_no_entry(client, make_token, open_action):
    counted_appeal(open_action)
    url = f"/api/advocacy_campaigns/{open_action.slug}/appeals"
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION=make_token("read", "write")).status_code == 403
    assert not AuditEntry.objects.exists()


def test_the_audit_log_is_read_only_in_the_staff_desk(staff_client, client, make_token, open_action):
    client.get(
        f"/api/advocacy_campaigns/{open_action.slug}/appeals", HTTP_AUTHORIZATION=make_token("personal_data")
    )
    entry = AuditEntry.objects.get()
    assert staff_client.get("/staff/staff/auditentry/?via__exact=api").status_code == 200
    assert staff_client.get("/staff/staff/auditentry/add/").status_code == 403
    staff_client.post(f"/staff/staff/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
