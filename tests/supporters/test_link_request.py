"""Asking for a new link: one answer for any address, the email sent by the worker, no address stored."""

import re

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.supporters import crypto
from uadesk.supporters.links import data_url
from uadesk.supporters.models import Supporter
from uadesk.supporters.outbox import data_link_queue

pytestmark = pytest.mark.django_db


def ask(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("supporters:link"), {"email": email})
    return response


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    client, ana, django_capture_on_commit_callbacks
):
    known = ask(client, "ana.silva@EXAMPLE.org", django_capture_on_commit_callbacks)
    unknown = ask(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("supporters:link_sent")
    assert "If this address is one we know" in client.get(known["Location"]).content.decode()
    # Both queue the same message, which carries the keyed hash and never the address.
    messages = list(Message.objects.order_by("pk"))
    assert [(m.kind, m.ref) for m in messages] == [("data-link", 0), ("data-link", 0)]
    assert [m.params["email_hash"] for m in messages] == [
        crypto.email_hash("ana.silva@example.org"),
        crypto.email_hash("nobody@example.org"),
    ]
    # Besides it, only each request's own random key (a second run of the request finds its message).
    assert all(set(m.params) == {"email_hash", "request"} for m in messages)
    assert all(re.fullmatch(r"[0-9a-f]{32}", m.params["request"]) for m in messages)
    assert messages[0].params["request"] != messages[1].params["request"]


def test_a_bad_address_is_told_so(client):
    response = client.post(reverse("supporters:link"), {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not Message.objects.exists()


def test_requests_are_rate_limited_per_address(client, settings, django_capture_on_commit_callbacks):
    settings.SUPPORTER_LINK_RATE_PER_ADDRESS = 2
    answers = [
        ask(client, f"s{n}@example.org", django_capture_on_commit_callbacks).status_code for n in range(3)
    ]
    assert answers == [302, 302, 429]
    assert Message.objects.count() == 2


def test_one_inbox_gets_a_few_links_an_hour_and_the_same_answer_after(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SUPPORTER_LINK_RATE_PER_EMAIL_AND_NETWORK = 2
    settings.SUPPORTER_LINK_RATE_PER_ADDRESS = 100
    answers = [ask(client, "ana@example.org", django_capture_on_commit_callbacks) for _ in range(4)]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("supporters:link_sent"))}
    assert Message.objects.count() == 2


def test_the_outbox_sends_a_link_to_a_known_supporter_and_keeps_the_old_one(client, ana, smtp_server):
    mailbox, _ = smtp_server
    old_link = data_url(ana)
    unknown = data_link_queue(crypto.email_hash("nobody@example.org"))
    known = data_link_queue(crypto.email_hash("ANA.SILVA@example.org"))
    assert deliver_messages.call() == 1
    unknown.refresh_from_db()
    known.refresh_from_db()
    assert (unknown.status, unknown.last_error) == ("cancelled", "no supporter has this address")
    assert known.status == "sent"
    [message] = mailbox.wait_for(1)
    assert message.envelope_recipients == ["Ana.Silva@example.org"]
    text = message.get_body(("plain",)).get_content()
    # In French where the desk speaks it; the link opens their page.
    [url] = re.findall(r"/fr/supporters/data/[^/\s]+/", text)
    assert client.get(url).status_code == 200
    assert url in message.get_body(("html",)).get_content()
    # Anyone may ask in anyone's name: the links in the owner's earlier emails keep working.
    assert client.get(old_link).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_a_worker_process_sends_the_link_asked_for_on_the_page(client, uadesk_bin, process_env, smtp_server):
    import subprocess

    mailbox, port = smtp_server
    Supporter.for_email("grace@example.org")
    assert client.post(reverse("supporters:link"), {"email": "Grace@example.org"}).status_code == 302
    assert client.post(reverse("supporters:link"), {"email": "stranger@example.org"}).status_code == 302
    worker = subprocess.run(
        [uadesk_bin, "worker", "--batch", "--interval=0.1"],
        env=process_env | {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)},
        capture_output=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr.decode()[-3000:]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    [message] = mailbox.wait_for(1)
    assert message.envelope_recipients == ["grace@example.org"]
    [url] = re.findall(r"/en/supporters/data/[^/\s]+/", message.get_body(("plain",)).get_content())
    assert client.get(url).status_code == 200
