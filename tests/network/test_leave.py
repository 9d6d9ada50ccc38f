"""Leaving: one click in every email to a member (a link, and RFC 8058's one-click POST), at once: nothing
waiting for them goes, and their address is never mailed again, whatever staff import. Only the member,
from their own link, can come back."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.network.member_fixtures import member_make, paths_in
from uadesk.delivery.models import Message
from uadesk.delivery.services import message_queue
from uadesk.delivery.tasks import deliver_messages
from uadesk.network.members import leave_path, unsubscribe_url
from uadesk.network.models import Mailing, Member, Recipient, Suppression
from uadesk.supporters.links import token_for

pytestmark = pytest.mark.django_db


def welcomed(email: str = "ada@example.org") -> Member:
    """A member staff imported, with their welcome waiting in the outbox."""
    member = member_make(email, status=Member.Status.PENDING, source=Member.Source.IMPORT)
    message_queue(Message.Kind.MEMBER_WELCOME, member.pk)
    return member


def test_the_email_carries_the_link_and_the_one_click_headers_and_a_mail_apps_post_leaves(smtp_server):
    mailbox, _ = smtp_server
    member = welcomed()
    assert deliver_messages.call() == 1
    [email] = mailbox.wait_for(1)
    url = unsubscribe_url(member)
    assert email["List-Unsubscribe"] == f"<{url}>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert paths_in(email, "/network/leave/") == [leave_path(member)]
    # Waiting in the outbox for them: another welcome, and a mailing's email.
    again = message_queue(Message.Kind.MEMBER_WELCOME, member.pk)
    mailing = Mailing.objects.create(action=_action())
    recipient = Recipient.objects.create(mailing=mailing, member=member, language="en", channel="email")
    case = message_queue(Message.Kind.MAILING, recipient.pk)

    # A mail app's one-click POST: no cookie, no CSRF token, the body RFC 8058 gives.
    app = Client(enforce_csrf_checks=True)
    answer = app.post(
        leave_path(member), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200 and "You have left the network" in answer.content.decode()
    member.refresh_from_db()
    assert member.status == "left" and member.left_at is not None
    assert Suppression.objects.get().reason == "unsubscribed"
    assert Suppression.objects.get().email_hash == member.supporter.email_hash
    for message in (again, case):
        message.refresh_from_db()
        assert message.status == "cancelled"
    recipient.refresh_from_db()
    assert recipient.status == "skipped"
    # Twice is fine: the person's own click after the app's.
    assert app.post(leave_path(member)).status_code == 200
    assert Suppression.objects.count() == 1


def _action(slug: str = "a-case"):
    from uadesk.actions.models import Action

    return Action.objects.create(title="A case", slug=slug)


def test_opening_the_link_changes_nothing(client):
    member = member_make("ada@example.org")
    page = client.get(leave_path(member))
    assert page.status_code == 200 and "Leave the network" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    member.refresh_from_db()
    assert member.status == "active" and not Suppression.objects.exists()


def test_the_link_outlives_a_new_data_link_but_not_a_forgery(client):
    member = member_make("ada@example.org")
    path = leave_path(member)
    member.supporter.renew_link_key()
    assert client.post(path).status_code == 200
    assert client.post(path.replace("/leave/", "/leave/x")).status_code == 404
    other = member_make("bea@example.org")
    assert client.post(leave_path(other)[:-3] + "xx/").status_code == 404
    other.refresh_from_db()
    assert other.status == "active"


def test_a_member_who_left_is_mailed_nothing_even_if_a_message_was_built_for_them(smtp_server):
    mailbox, _ = smtp_server
    member = welcomed()
    # The leave is recorded while a message was already waiting outside the cancel (e.g. made after it).
    Suppression.add(member.supporter.email_hash, Suppression.Reason.UNSUBSCRIBED)
    Member.objects.filter(pk=member.pk).update(status=Member.Status.LEFT)
    assert deliver_messages.call() == 0
    assert Message.objects.get().status == "cancelled"
    assert mailbox.messages == []


def test_joining_again_on_the_site_sends_nothing_but_the_member_can_come_back_from_their_own_link(client):
    member = member_make("ada@example.org")
    client.post(leave_path(member))
    answer = client.post(
        reverse("network:join"), {"email": "ada@example.org", "language": "en", "channel": "email"}
    )
    assert answer.status_code == 302
    assert not Message.objects.exists()
    member.refresh_from_db()
    assert member.status == "left"

    # Their own page (their data link, emailed to them) offers to join again; its button does.
    token = token_for(member.supporter)
    page = client.get(reverse("network:member", kwargs={"token": token})).content.decode()
    assert "You left the network" in page and "Join again" in page
    confirm = reverse("network:confirm", kwargs={"token": token})
    assert "Join the network again" in client.get(confirm).content.decode()
    assert client.post(confirm).status_code == 200
    member.refresh_from_db()
    assert member.status == "active" and member.left_at is None and member.consented_at is not None
    assert not Suppression.objects.exists()


def test_leaving_from_the_members_own_page(client):
    member = member_make("ada@example.org")
    page = client.get(
        reverse("network:member", kwargs={"token": token_for(member.supporter)})
    ).content.decode()
    assert f'<form method="post" action="{leave_path(member)}"' in page
    client.post(leave_path(member))
    member.refresh_from_db()
    assert member.status == "left"


@pytest.mark.skipif(
    not hasattr(Recipient, "unsubscribed_at"), reason="Recipient.unsubscribed_at comes with the mailings"
)
def test_leaving_from_a_mailings_email_is_counted_on_that_mailing(client):
    member, other = member_make("ada@example.org"), member_make("bea@example.org")
    first, second = Mailing.objects.create(action=_action()), Mailing.objects.create(action=_action("b"))
    mine = Recipient.objects.create(mailing=first, member=member, language="en", channel="email")
    theirs = Recipient.objects.create(mailing=second, member=other, language="en", channel="email")
    path = urlsplit(unsubscribe_url(member, recipient=mine)).path
    assert path != leave_path(member)
    assert client.post(path).status_code == 200
    mine.refresh_from_db()
    assert mine.unsubscribed_at is not None
    # A link names its own member's row only.
    forged = urlsplit(unsubscribe_url(member, recipient=theirs)).path
    client.post(forged)
    theirs.refresh_from_db()
    assert theirs.unsubscribed_at is None
