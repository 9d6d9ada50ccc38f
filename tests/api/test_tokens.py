"""Tokens: made and revoked by administrators in the staff desk, shown once, kept hashed, scoped."""

import datetime
import re

import pytest
from django.utils import timezone

from uadesk.api.models import ApiToken

pytestmark = pytest.mark.django_db
DRAFT = "/api/advocacy_campaigns/secret-draft"


def test_an_administrator_creates_a_token_and_sees_it_once(staff_client):
    response = staff_client.post(
        "/staff/api/apitoken/add/",
        {"name": "CiviCRM of the Lyon group", "scope_read": "on", "scope_personal_data": "on"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = re.search(r'<code id="api-token">(uad_[\w-]+)</code>', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.scopes == ["read", "personal_data"] and token.created_by.username == "editor"
    assert token.key_hash != key and key not in token.prefix + token.key_hash and key.startswith(token.prefix)
    assert ApiToken.authenticate(key) == token
    # The change page never shows it again.
    page = staff_client.get(f"/staff/api/apitoken/{token.pk}/change/").content.decode()
    assert key not in page


def test_an_administrator_grants_the_target_addresses_scope(staff_client):
    response = staff_client.post(
        "/staff/api/apitoken/add/",
        {"name": "Section site", "scope_write": "on", "scope_target_addresses": "on"},
    )
    assert response.status_code == 200
    assert ApiToken.objects.get().scopes == ["write", "target_addresses"]


def test_an_administrator_revokes_tokens(staff_client, make_token, client, draft_action):
    auth = make_token("read")
    assert client.get(DRAFT, HTTP_AUTHORIZATION=auth).status_code == 200
    token = ApiToken.objects.get()
    staff_client.post("/staff/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = client.get(DRAFT, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert "Bearer" in response["WWW-Authenticate"]


def test_unknown_expired_and_malformed_tokens_are_401(client, make_token, draft_action):
    expired = make_token("read", expires_at=timezone.now() - datetime.timedelta(minutes=1))
    for auth in [expired, "Bearer uad_not-a-real-one", "Basic dXNlcjpwYXNz", "Bearer", "uad_x"]:
        assert client.get("/api/advocacy_campaigns", HTTP_AUTHORIZATION=auth).status_code == 401, auth


def test_scopes_decide_what_a_token_may_do(client, make_token, draft_action, open_action):
    reader, writer = make_token("read"), make_token("write")
    # No token: no drafts; a read token sees them.
    assert client.get(DRAFT).status_code == 404
    assert client.get(DRAFT, HTTP_AUTHORIZATION=reader).json()["status"] == "draft"
    patch = {"path": DRAFT, "data": '{"title": "New"}', "content_type": "application/json"}
    assert client.patch(**patch).status_code == 401
    assert client.patch(**patch, HTTP_AUTHORIZATION=reader).status_code == 403
    assert client.patch(**patch, HTTP_AUTHORIZATION=writer).status_code == 200
    appeals = f"/api/advocacy_campaigns/{open_action.slug}/appeals"
    response = client.get(appeals, HTTP_AUTHORIZATION=writer)
    assert response.status_code == 403 and "personal_data" in response.json()["error"]["message"]
    # Where a published action's letters go takes a scope of its own.
    target = f"/api/advocacy_campaigns/{open_action.slug}/targets/{open_action.targets.first().pk}"
    redirect = {"path": target, "data": '{"emails": ["new@example.org"]}', "content_type": "application/json"}
    response = client.patch(**redirect, HTTP_AUTHORIZATION=writer)
    assert response.status_code == 403 and "target_addresses" in response.json()["error"]["message"]
    assert client.patch(**redirect, HTTP_AUTHORIZATION=make_token("target_addresses")).status_code == 403
    assert (
        client.patch(**redirect, HTTP_AUTHORIZATION=make_token("write", "target_addresses")).status_code
        == 200
    )


def test_use_is_recorded_at_most_once_a_minute(client, make_token, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC), tick=False)
    auth = make_token("read")
    client.get("/api/advocacy_campaigns", HTTP_AUTHORIZATION=auth)
    first = ApiToken.objects.get().last_used_at
    assert first == datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, 0, 30, tzinfo=datetime.UTC), tick=False)
    client.get("/api/advocacy_campaigns", HTTP_AUTHORIZATION=auth)
    assert ApiToken.objects.get().last_used_at == first
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, 2, tzinfo=datetime.UTC), tick=False)
    client.get("/api/advocacy_campaigns", HTTP_AUTHORIZATION=auth)
    assert ApiToken.objects.get().last_used_at == datetime.datetime(2026, 3, 1, 12, 2, tzinfo=datetime.UTC)
