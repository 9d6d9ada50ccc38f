"""Staff find a supporter by exact address without seeing addresses, and erase them on request."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from tests.conftest import staff_login
from uadesk.supporters.models import Erasure, Supporter

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:supporters_supporter_changelist")


def test_the_list_shows_no_address_and_finds_one_by_exact_address(staff_client, ana):
    html = staff_client.get(CHANGELIST).content.decode()
    assert f"supporter #{ana.pk}" in html
    assert "example.org" not in html
    ben = Supporter.find("ben@example.org")
    assert f"supporter #{ben.pk}" in html
    found = staff_client.get(CHANGELIST, {"q": "ANA.SILVA@example.org"}).content.decode()
    assert f"supporter #{ana.pk}" in found and f"supporter #{ben.pk}" not in found
    assert f"supporter #{ben.pk}" in staff_client.get(CHANGELIST, {"q": f"#{ben.pk}"}).content.decode()
    # Part of an address finds no one: there is no list of addresses to search through.
    assert f"supporter #{ana.pk}" not in staff_client.get(CHANGELIST, {"q": "example.org"}).content.decode()
    page = staff_client.get(reverse("admin:supporters_supporter_change", args=[ana.pk])).content.decode()
    assert "example.org" not in page


def test_erase_asks_first_then_erases_and_counts_who_did_it(staff_client, ana, holder):
    data = {"action": "erase_selected", "_selected_action": [ana.pk]}
    confirm = staff_client.post(CHANGELIST, data)
    assert confirm.status_code == 200 and "Yes, erase them" in confirm.content.decode()
    assert Supporter.objects.filter(pk=ana.pk).exists()
    done = staff_client.post(CHANGELIST, data | {"post": "yes"}, follow=True)
    assert "1 supporter erased" in done.content.decode()
    assert not Supporter.objects.filter(pk=ana.pk).exists()
    assert holder.count("Free Ilham Tohti") == 2
    assert list(Erasure.objects.values_list("by", "count")) == [("staff:editor", 1)]
    # The audit log names who erased whom, by number only.
    entry = LogEntry.objects.get()
    assert (entry.user.username, entry.object_repr, entry.is_deletion()) == (
        "editor",
        f"supporter #{ana.pk}",
        True,
    )


def test_staff_cannot_delete_a_row_around_the_erasure(staff_client, ana):
    response = staff_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [ana.pk]})
    assert Supporter.objects.filter(pk=ana.pk).exists()
    assert response.status_code in (200, 302)
    delete = staff_client.post(reverse("admin:supporters_supporter_delete", args=[ana.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Supporter.objects.filter(pk=ana.pk).exists()


def test_staff_without_the_delete_permission_cannot_erase(client, django_user_model, ana):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="a long staff password", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_supporter"))
    staff_login(client, viewer)
    html = client.get(CHANGELIST).content.decode()
    assert "erase_selected" not in html
    client.post(CHANGELIST, {"action": "erase_selected", "_selected_action": [ana.pk], "post": "yes"})
    assert Supporter.objects.filter(pk=ana.pk).exists()
