"""Nobody can lock the staff out: failed sign-ins lock that account from that address only, and behind
the desk's own proxy the address is the client's (X-Forwarded-For), not the proxy's."""

import datetime

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db
LOGIN = reverse("admin:login")
INDEX = reverse("admin:index")
START = datetime.datetime(2026, 11, 29, 9, 0, tzinfo=datetime.UTC)
ATTACKER, OWNER, PROXY = "203.0.113.5", "198.51.100.7", "10.0.0.2"
PASSWORD = "a long staff password"  # noqa: S105 (a test account's)


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user("staff", password=PASSWORD, is_staff=True, is_superuser=True)


def sign_in(client, password=PASSWORD, **meta):
    return client.post(LOGIN, {"username": "staff", "password": password, "next": INDEX}, **meta)


def test_failures_from_one_address_leave_the_owner_signing_in_from_another(client, member):
    with time_machine.travel(START, tick=False):
        failures = [sign_in(client, "wrong", REMOTE_ADDR=ATTACKER).status_code for _ in range(5)]
        assert failures == [200, 200, 200, 200, 429]
        assert sign_in(client, REMOTE_ADDR=ATTACKER).status_code == 429  # that address stays locked
        assert sign_in(client, REMOTE_ADDR=OWNER).status_code == 302


def test_behind_a_proxy_only_the_forwarded_address_is_locked(client, member, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def via_proxy(address):
        return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}

    with time_machine.travel(START, tick=False):
        failures = [sign_in(client, "wrong", **via_proxy(ATTACKER)).status_code for _ in range(5)]
        assert failures == [200, 200, 200, 200, 429]
        assert sign_in(client, **via_proxy(ATTACKER)).status_code == 429
        # Every request came from the proxy's address; the owner's, forwarded, is not locked.
        assert sign_in(client, **via_proxy(OWNER)).status_code == 302
