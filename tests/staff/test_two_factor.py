"""Staff sign in with a password and a code from their authenticator app; failures lock the account."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import totp_code

pytestmark = pytest.mark.django_db
LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
START = datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user(
        "rahima", password="a long staff password", is_staff=True, is_superuser=True
    )


def sign_in(client, **extra):
    return client.post(
        LOGIN, {"username": "rahima", "password": "a long staff password", "next": INDEX} | extra
    )


def test_first_sign_in_leads_to_setting_up_the_app_and_nowhere_else(client, member):
    from uadesk.staff.services import enrolment_issue

    link = enrolment_issue(member)  # as an administrator issues it
    with time_machine.travel(START, tick=False):
        assert sign_in(client).status_code == 302
        # Every staff page now sends them to set up the second factor first.
        assert client.get(INDEX)["Location"] == reverse("admin:two_factor")
        assert client.get(reverse("admin:actions_action_changelist"))["Location"] == reverse(
            "admin:two_factor"
        )
        assert "/login/" in client.get(reverse("reports:all"))["Location"]
        page = client.get(link).content.decode()
        assert "<svg" in page and re.search(r"<code>[A-Z2-7 ]{20,}</code>", page)
        device = TOTPDevice.objects.get(user=member)
        wrong = client.post(link, {"token": "000000"})
        assert "does not match" in wrong.content.decode()
    # A failure holds further tries back for a second or more: the next comes a little later.
    later = START + datetime.timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        done = client.post(link, {"token": totp_code(device, later)})
        assert done["Location"] == INDEX
        assert client.get(INDEX).status_code == 200
        assert client.get(reverse("reports:all")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_once_set_up_the_password_alone_is_not_enough(client, member):
    device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    with time_machine.travel(START, tick=False):
        refused = sign_in(client)
        assert refused.status_code == 200 and "Please enter your OTP token" in refused.content.decode()
        assert client.get(INDEX).status_code == 302
        assert sign_in(client, otp_token="123456").status_code == 200
    later = START + datetime.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        assert sign_in(client, otp_token=totp_code(device, later)).status_code == 302
        assert client.get(INDEX).status_code == 200


def test_repeated_failures_lock_the_account_for_a_while(client, member):
    with time_machine.travel(START, tick=False):
        statuses = [
            client.post(LOGIN, {"username": "rahima", "password": "wrong"}).status_code for _ in range(5)
        ]
        assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks the account
        locked = sign_in(client)  # the right password, too late
        assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
        assert client.get(INDEX).status_code == 302
    with time_machine.travel(START + datetime.timedelta(minutes=16), tick=False):
        assert sign_in(client).status_code == 302
