"""A password alone opens nothing of the desk: no draft, no authenticator of one's own choosing, not even
the names of the staff apps; a sign-in lands on the staff desk's home."""

import datetime
import re
import subprocess

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import staff_login, totp_code
from uadesk.actions.models import Action

pytestmark = pytest.mark.django_db
LOGIN, INDEX, TWO_FACTOR = reverse("admin:login"), reverse("admin:index"), reverse("admin:two_factor")
PASSWORD = "a long staff password"
START = datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def member(django_user_model):
    """A new staff member with every permission, who has no authenticator yet: what a thief would want."""
    return django_user_model.objects.create_user(
        "rahima", password=PASSWORD, is_staff=True, is_superuser=True
    )


@pytest.fixture
def administrator(django_user_model):
    user = django_user_model.objects.create_user("admin-user", is_staff=True)
    user.groups.add(Group.objects.get(name="Administrator"))
    return staff_login(Client(), user)


def sign_in(client, username="rahima", **extra):
    return client.post(LOGIN, {"username": username, "password": PASSWORD} | extra)


def issue(administrator, user) -> str:
    page = administrator.post(
        reverse("admin:auth_user_changelist"),
        {"action": "issue_enrolment", "index": "0", "_selected_action": [user.pk]},
    )
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    [link] = re.findall(r"<code>http://testserver(/staff/two-factor/[^<]+/)</code>", page.content.decode())
    return link


def test_a_password_alone_previews_no_draft(client, member):
    draft = Action.objects.create(slug="a-draft", title="An unpublished case", summary="Not yet.")
    url = reverse("actions:detail", args=[draft.slug])
    assert sign_in(client).status_code == 302
    assert client.get(url).status_code == 404
    assert staff_login(Client(), member).get(url).status_code == 200  # with the second factor


def test_a_password_alone_enrols_no_authenticator(client, member):
    assert sign_in(client).status_code == 302
    assert client.get(INDEX)["Location"] == TWO_FACTOR
    page = client.get(TWO_FACTOR).content.decode()
    assert 'class="qr"' not in page and "<code>" not in page and "ask them for your set-up link" in page
    assert not TOTPDevice.objects.filter(user=member).exists()
    client.post(TWO_FACTOR, {"token": "123456"})
    forged = client.get(reverse("admin:two_factor_setup", args=["forged-token"]))
    assert forged.status_code == 403 and 'class="qr"' not in forged.content.decode()
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert client.get(INDEX)["Location"] == TWO_FACTOR


def test_an_administrator_issues_a_set_up_link_that_works_once_for_its_owner(
    client, member, administrator, django_user_model
):
    first = issue(administrator, member)
    link = issue(administrator, member)  # a new link replaces the first
    # Someone else signed in with their own password cannot use it.
    django_user_model.objects.create_user("thief", password=PASSWORD, is_staff=True)
    thief = Client()
    assert sign_in(thief, "thief").status_code == 302
    assert thief.get(link).status_code == 403
    with time_machine.travel(START, tick=False):
        assert sign_in(client).status_code == 302
        assert client.get(first).status_code == 403
        page = client.get(link)
        assert "no-store" in page["Cache-Control"]
        assert "<svg" in page.content.decode() and re.search(
            r"<code>[A-Z2-7 ]{20,}</code>", page.content.decode()
        )
        device = TOTPDevice.objects.get(user=member)
        assert client.post(link, {"token": totp_code(device, START)})["Location"] == INDEX
        assert client.get(INDEX).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    # Used once: the link now sets up nothing more.
    other = Client()
    later = START + datetime.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        assert sign_in(other, otp_token=totp_code(device, later)).status_code == 302
    assert other.get(link)["Location"] == INDEX
    assert TOTPDevice.objects.filter(user=member).count() == 1


def test_without_the_permission_no_link_is_issued(member, django_user_model):
    editor = django_user_model.objects.create_user("editor-user", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client = staff_login(Client(), editor)
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "issue_enrolment", "index": "0", "_selected_action": [member.pk]},
    )
    assert not TOTPDevice.objects.filter(user=member).exists()


def test_a_sign_in_without_next_lands_on_the_staff_desk(client, member):
    device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    with time_machine.travel(START, tick=False):
        response = sign_in(client, otp_token=totp_code(device, START))
    assert response["Location"] == INDEX
    assert client.get(INDEX).status_code == 200


def test_the_two_factor_page_shows_nothing_of_the_desk(client, member):
    assert sign_in(client).status_code == 302
    page = client.get(TWO_FACTOR).content.decode()
    assert 'id="nav-sidebar"' not in page
    assert not re.search(r'href="/staff/\w+/', page), re.findall(r'href="/staff/[^"]*"', page)
    assert "Appeals" not in page and "Supporters" not in page


@pytest.mark.django_db(transaction=True)
def test_the_command_line_issues_the_first_link(member, uadesk_bin, process_env):
    done = subprocess.run(
        [uadesk_bin, "enrolment_link", "rahima"], env=process_env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"/staff/two-factor/\S+/", done.stdout)
    assert TOTPDevice.objects.filter(user=member, confirmed=False).count() == 1
    unknown = subprocess.run(
        [uadesk_bin, "enrolment_link", "nobody"], env=process_env, capture_output=True, text=True, timeout=60
    )
    assert unknown.returncode == 2 and len(unknown.stderr.strip().splitlines()) == 1, unknown.stderr
