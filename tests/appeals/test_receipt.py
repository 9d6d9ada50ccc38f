"""A supporter who confirmed their email gets a receipt of what they sent: each letter, to whom, how,
and the link to their data. One who left no email gets none."""

import datetime

import pytest

from tests.appeals.helpers import compose_send, confirm
from tests.conftest import at
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)


def test_the_receipt_lists_each_letter_and_the_data_link(client, seed_action, smtp_server):
    mailbox, _ = smtp_server
    xi, ma = seed_action.targets.get(name="Xi Jinping"), seed_action.targets.get(name="Ma Xingrui")
    with at(OPEN_DAY):
        key, _ = compose_send(client, seed_action, [xi, ma], email="ada@example.org", channel="post")
        confirm(key)
        deliver_messages.call()
    [receipt] = [m for m in mailbox.wait_for(1) if m["Subject"].startswith("Your letters for")]
    assert receipt["To"] == "ada@example.org" and receipt["List-Unsubscribe"] is None
    text = receipt.get_body(("plain",)).get_content()
    assert "Xi Jinping" in text and "Ma Xingrui" in text and "Post" in text
    assert "Please release everyone detained." in text
    assert "/supporters/data/" in text


def test_no_email_no_receipt(client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    with at(OPEN_DAY):
        compose_send(client, seed_action, [xi], email="", channel="post")
    assert not Message.objects.filter(kind="letters-receipt").exists()
