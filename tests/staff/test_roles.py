"""Each staff role may do its own work and is refused the rest; the audit log is readable and unalterable."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.conftest import staff_login
from uadesk.staff.models import AuditEntry
from uadesk.staff.roles import ROLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_role(django_user_model):
    def login(role: str):
        user = django_user_model.objects.create_user(
            f"{role.lower()}-user", password="a long staff password", is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        client = Client()  # its own, so that a test can hold two roles at once
        return staff_login(client, user)

    return login


def status(client, name, *args) -> int:
    return client.get(reverse(name, args=args)).status_code


def test_every_role_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    assert Group.objects.get(name="Analyst").permissions.filter(codename="view_reports").exists()


def test_an_editor_edits_actions_and_reviews_letters_but_sees_no_supporters_nor_dashboards(
    as_role, seed_action
):
    client = as_role("Editor")
    assert status(client, "admin:actions_action_change", seed_action.pk) == 200
    assert status(client, "ingest") == 200
    assert status(client, "admin:appeals_appeal_changelist") == 200
    assert status(client, "admin:supporters_supporter_changelist") == 403
    assert status(client, "reports:action", seed_action.slug) == 403
    assert status(client, "admin:auth_user_changelist") == 403


def test_an_analyst_sees_counts_but_no_letter_nor_supporter_and_edits_nothing(as_role, seed_action):
    client = as_role("Analyst")
    assert status(client, "reports:action", seed_action.slug) == 200
    assert status(client, "reports:export", seed_action.slug, "csv") == 200
    assert status(client, "admin:appeals_appeal_changelist") == 403  # letters carry names
    assert status(client, "admin:supporters_supporter_changelist") == 403
    assert status(client, "ingest") == 403
    page = client.get(reverse("admin:actions_action_change", args=[seed_action.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content  # read only
    assert client.post(reverse("admin:actions_action_change", args=[seed_action.pk]), {}).status_code == 403


def test_support_handles_supporters_requests_and_nothing_else(as_role, seed_action):
    client = as_role("Support")
    assert status(client, "admin:supporters_supporter_changelist") == 200
    assert status(client, "admin:actions_action_changelist") == 403
    assert status(client, "admin:appeals_appeal_changelist") == 403
    assert status(client, "reports:all") == 403
    assert status(client, "ingest") == 403


def test_an_administrator_may_do_everything(as_role, seed_action):
    client = as_role("Administrator")
    for name, args in [
        ("admin:actions_action_change", [seed_action.pk]), ("admin:supporters_supporter_changelist", []),
        ("reports:all", []), ("admin:auth_user_changelist", []), ("admin:staff_auditentry_changelist", []),
    ]:  # fmt: skip
        assert status(client, name, *args) == 200, name


def test_staff_changes_are_in_the_audit_log_which_nobody_can_alter(as_role, staff_client, seed_action):
    editor = as_role("Editor")
    url = reverse("admin:actions_action_changelist")
    response = editor.post(url, {"action": "close_actions", "_selected_action": [seed_action.pk]})
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.code, entry.actor, entry.object_id, entry.detail) == (
        "uadesk.action.changed", "editor-user", str(seed_action.pk), {"note": "Closed"},
    )  # fmt: skip
    # A superuser reads it, and still cannot change or delete it.
    assert status(staff_client, "admin:staff_auditentry_changelist") == 200
    change = reverse("admin:staff_auditentry_change", args=[entry.pk])
    assert staff_client.post(change, {"code": "uadesk.action.viewed"}).status_code == 403
    delete = reverse("admin:staff_auditentry_delete", args=[entry.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get().code == entry.code
