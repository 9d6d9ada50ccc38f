"""A stolen editor's password does not open the supporter list: editors see supporters' names, towns,
countries and letters only on the held letters they review."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.conftest import staff_login
from uadesk.appeals.models import Appeal
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db
PERSONAL = ["Ada Lovelace-Byron", "Montbéliard", "The letter of Ada, in her own words."]


@pytest.fixture
def as_role(django_user_model):
    def login(role: str):
        user = django_user_model.objects.create_user(f"{role.lower()}-user", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        return staff_login(Client(), user)

    return login


@pytest.fixture
def appeals(seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    return {
        status: Appeal.objects.create(
            action=seed_action,
            target=xi,
            channel="email",
            language="en",
            subject="Free them",
            body=PERSONAL[2],
            supporter_name=PERSONAL[0],
            supporter_town=PERSONAL[1],
            supporter_country="FR",
            supporter=Supporter.for_email(f"{status}@example.org"),
            status=status,
        )  # fmt: skip
        for status in ["held", "queued", "sent", "failed"]
    }


def page(client, appeal) -> str:
    response = client.get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_editor_sees_the_supporter_only_on_held_letters(as_role, appeals):
    editor = as_role("Editor")
    held = page(editor, appeals["held"])
    assert all(text in held for text in PERSONAL)  # what they review
    for status in ["queued", "sent", "failed"]:
        html = page(editor, appeals[status])
        assert not any(text in html for text in PERSONAL), status
        hidden = ["supporter_name", "supporter_town", "supporter_country", "supporter", "body"]
        assert not any(f"field-{name}" in html for name in hidden), status
    listing = editor.get(reverse("admin:appeals_appeal_changelist")).content.decode()
    assert not any(text in listing for text in PERSONAL)
    # Nor does a search by the supporter's name find the letter.
    search = editor.get(reverse("admin:appeals_appeal_changelist"), {"q": "Lovelace"}).content.decode()
    assert "0 appeals" in search or "0 results" in search


def test_an_administrator_sees_every_letter_in_full(as_role, appeals):
    admin = as_role("Administrator")
    for appeal in appeals.values():
        html = page(admin, appeal)
        assert all(text in html for text in PERSONAL), appeal.status
