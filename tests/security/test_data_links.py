"""A link request, or a letter, in someone else's name neither ends their data links nor uses up theirs."""

import uuid

import pytest
from django.urls import reverse

from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.supporters.links import data_url
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db
OWNER, ATTACKER = "198.51.100.7", "203.0.113.9"


def ask(client, email, address, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("supporters:link"), {"email": email}, REMOTE_ADDR=address)


def test_a_link_or_a_letter_in_their_name_leaves_their_earlier_link_working(
    client, open_action, smtp_server, django_capture_on_commit_callbacks
):
    mailbox, _ = smtp_server
    ana = Supporter.for_email("ana@example.org")
    earlier = data_url(ana)
    assert ask(client, "ANA@example.org", ATTACKER, django_capture_on_commit_callbacks).status_code == 302
    assert deliver_messages.call() == 1
    xi = open_action.targets.get(name="Xi Jinping")
    letter = {
        "key": str(uuid.uuid4()), "targets": [xi.pk], "language": "en", "channel": "email",
        "body": "Release them.", "name": "Not Ana", "email": "ana@example.org", "step": "send",
    }  # fmt: skip
    assert (
        client.post(reverse("appeals:compose", kwargs={"slug": open_action.slug}), letter).status_code == 302
    )
    assert client.get(earlier).status_code == 200
    # The link just sent works too.
    assert len(mailbox.wait_for(1)) == 1


def test_requests_from_another_network_do_not_use_up_the_owners_links(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SUPPORTER_LINK_RATE_PER_ADDRESS = 100
    for _ in range(20):
        ask(client, "ana@example.org", ATTACKER, django_capture_on_commit_callbacks)
    sent_to_attackers_asking = Message.objects.filter(kind="data-link").count()
    assert sent_to_attackers_asking == 3  # SUPPORTER_LINK_RATE_PER_EMAIL_AND_NETWORK
    response = ask(client, "ana@example.org", OWNER, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Message.objects.filter(kind="data-link").count() == sent_to_attackers_asking + 1


def test_an_inbox_still_gets_few_links_however_many_networks_ask(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SUPPORTER_LINK_RATE_PER_ADDRESS = 100
    settings.SUPPORTER_LINK_RATE_PER_EMAIL = 5
    for network in range(10):
        for _ in range(3):
            ask(client, "ana@example.org", f"192.0.{network}.1", django_capture_on_commit_callbacks)
    assert Message.objects.filter(kind="data-link").count() == 5
