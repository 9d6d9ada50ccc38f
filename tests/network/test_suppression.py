"""Addresses never to mail: what comes back to a member's email (its bounce address names the message)
suppresses the address at once for a permanent failure or a spam complaint, and after so many temporary
failures in a row; a suppression outlives the member's erasure; staff read the list, counted by reason,
and can change nothing in it."""

import datetime
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.appeals.test_bounces import dsn, pipe
from tests.conftest import at
from tests.network.member_fixtures import member_make
from uadesk.delivery.bounces import message_bounce_address
from uadesk.delivery.models import Message
from uadesk.delivery.services import message_queue
from uadesk.delivery.tasks import deliver_messages
from uadesk.network.models import Member, Suppression
from uadesk.network.services import supporter_data
from uadesk.supporters import crypto
from uadesk.supporters.models import Supporter
from uadesk.supporters.services import erase

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def bounce_domain(settings):
    settings.BOUNCE_DOMAIN = "bounces.section.example"


def complaint(return_path: str) -> bytes:
    """A feedback report (RFC 5965) as mail providers send one when a reader presses "spam"."""
    report = MIMEMultipart("report", report_type="feedback-report")
    report["From"] = "fbl@mail.example.net"
    report["To"] = "abuse@section.example"
    report["Subject"] = "Complaint about a message"
    report.attach(MIMEText("This is an email abuse report for a message you sent.\n"))
    feedback = MIMEBase("message", "feedback-report")
    feedback.set_payload("Feedback-Type: abuse\nUser-Agent: ExampleFBL/1.0\nVersion: 1\n")
    report.attach(feedback)
    report.attach(
        MIMEText(f"Return-Path: <{return_path}>\nFrom: ua@section.example\nSubject: s\n", "rfc822-headers")
    )
    return report.as_bytes()


def sent_message(member: Member, when: datetime.datetime) -> Message:
    """An email to the member that went out at that time."""
    return Message.objects.create(
        kind=Message.Kind.MEMBER_WELCOME, ref=member.pk, status=Message.Status.SENT, sent_at=when
    )


def suppressed(email: str) -> str | None:
    found = Suppression.objects.filter(email_hash=crypto.email_hash(email)).first()
    return found.reason if found else None


def test_a_hard_bounce_of_a_members_email_suppresses_the_address_at_once(
    bounce_domain, smtp_server, monkeypatch
):
    mailbox, _ = smtp_server
    member = member_make("ada@example.org", status=Member.Status.PENDING)
    first = message_queue(Message.Kind.MEMBER_WELCOME, member.pk)
    with at(DAY):
        deliver_messages.call()
    [email] = mailbox.wait_for(1)
    # The email goes out with its own bounce address; the reader sees the desk's.
    assert email.envelope_sender == message_bounce_address(first.pk, day=DAY)
    assert email.envelope_sender.startswith(f"bounces+m{first.pk}-20261102-")
    assert "bounces+" not in email["From"]
    waiting = message_queue(Message.Kind.MEMBER_WELCOME, member.pk)
    with at(DAY):
        said = pipe(dsn(email.envelope_sender, "5.1.1"), monkeypatch)
    assert said == f"message {first.pk}: the address does not exist; it is not mailed again"
    assert suppressed("ada@example.org") == "hard_bounce"
    waiting.refresh_from_db()
    assert waiting.status == "cancelled"
    # Never retried: no email goes to it again, whatever joins or is queued.
    message_queue(Message.Kind.MEMBER_WELCOME, member.pk)
    assert deliver_messages.call() == 0 and len(mailbox.messages) == 1


def test_a_spam_complaint_suppresses_the_address(bounce_domain, monkeypatch):
    member = member_make("ada@example.org")
    message = sent_message(member, timezone.now())
    said = pipe(complaint(message_bounce_address(message.pk)), monkeypatch)
    assert said == f"message {message.pk}: marked as spam; the address is not mailed again"
    assert suppressed("ada@example.org") == "complaint"


def test_soft_bounces_in_a_row_suppress_and_a_delivered_email_between_starts_the_count_again(
    bounce_domain, monkeypatch, settings
):
    settings.NETWORK_SOFT_BOUNCES_TO_SUPPRESS = 3
    member = member_make("ada@example.org")
    start = timezone.now() - datetime.timedelta(days=10)
    days = [sent_message(member, start + datetime.timedelta(days=n)) for n in range(6)]

    def soft(message) -> str:
        return pipe(dsn(message_bounce_address(message.pk), "4.2.2"), monkeypatch)

    assert soft(days[0]).endswith("temporary failure 1 in a row; nothing else changed")
    assert soft(days[0]).endswith("counted already; nothing changed")  # one message, reported twice
    # days[1] went and did not come back: the next failure starts the count again.
    assert soft(days[2]).endswith("temporary failure 1 in a row; nothing else changed")
    assert soft(days[3]).endswith("temporary failure 2 in a row; nothing else changed")
    assert suppressed("ada@example.org") is None
    assert soft(days[4]).endswith("temporary failure 3 in a row; the address is not mailed again")
    assert suppressed("ada@example.org") == "soft_bounces"


def test_an_old_or_forged_bounce_address_changes_nothing(bounce_domain, monkeypatch):
    member = member_make("ada@example.org")
    message = sent_message(member, timezone.now() - datetime.timedelta(days=5))
    old = message_bounce_address(message.pk, day=timezone.now().date() - datetime.timedelta(days=5))
    assert pipe(dsn(old, "5.1.1"), monkeypatch) == (
        f"message {message.pk}: refused, its bounce address has expired; nothing changed"
    )
    forged = message_bounce_address(message.pk).replace(f"+m{message.pk}-", f"+m{message.pk + 1}-")
    assert pipe(dsn(forged, "5.1.1"), monkeypatch) == "not a bounce of a uadesk letter; ignored"
    assert not Suppression.objects.exists()


def test_an_auto_reply_changes_nothing(bounce_domain, monkeypatch):
    from tests.appeals.test_bounces import out_of_office

    member = member_make("ada@example.org")
    message = sent_message(member, timezone.now())
    said = pipe(out_of_office(message_bounce_address(message.pk)), monkeypatch)
    assert said == f"message {message.pk}: nothing changed"
    assert not Suppression.objects.exists()


def test_after_erasure_the_member_is_gone_and_the_suppression_stays(client, smtp_server):
    mailbox, _ = smtp_server
    member = member_make("ada@example.org", consent_origin="paper forms")
    assert supporter_data(member.supporter)["memberships"][0]["consent_origin"] == "paper forms"
    from uadesk.network.members import leave_path

    client.post(leave_path(member))
    queued = message_queue(Message.Kind.MEMBER_CONFIRM, member.pk)
    assert erase(member.supporter, by="supporter")
    assert not Member.objects.exists() and Supporter.find("ada@example.org") is None
    assert suppressed("ada@example.org") == "unsubscribed"
    # A message about them finds no one; joining again with the address sends nothing.
    assert deliver_messages.call() == 0
    queued.refresh_from_db()
    assert queued.status == "cancelled"
    client.post(reverse("network:join"), {"email": "ADA@example.org", "language": "en", "channel": "email"})
    assert deliver_messages.call() == 0 and mailbox.messages == []
    assert not Member.objects.exists()


def test_staff_read_the_list_counted_by_reason_and_change_nothing(staff_client):
    for n, reason in enumerate(["unsubscribed", "unsubscribed", "hard_bounce", "complaint"]):
        Suppression.add(crypto.email_hash(f"s{n}@example.org"), reason)
    changelist = reverse("admin:network_suppression_changelist")
    html = staff_client.get(changelist).content.decode()
    for label, count in [("Left the network", 2), ("Address does not exist", 1), ("Marked as spam", 1),
                         ("Bounced again and again", 0)]:  # fmt: skip
        assert f'<tr><th scope="row">{label}</th><td>{count}</td></tr>' in html, label
    assert not any(s.email_hash in html for s in Suppression.objects.all())
    found = staff_client.get(changelist, {"q": "S2@example.org"}).content.decode()
    assert "1 address not to mail" in found
    one = Suppression.objects.first()
    assert staff_client.get(reverse("admin:network_suppression_add")).status_code == 403
    assert (
        staff_client.post(reverse("admin:network_suppression_change", args=[one.pk]), {}).status_code == 403
    )
    assert (
        staff_client.post(
            reverse("admin:network_suppression_delete", args=[one.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Suppression.objects.count() == 4


def test_an_editor_mails_a_bounced_address_again_and_never_one_that_left_or_complained(
    client, editor_client, open_action
):
    """A member whose mailbox bounced mends it and asks to be mailed again: an editor finds the address
    exactly, lifts it, and the next mailing reaches them; those who left or pressed "spam" stay off."""
    from django.contrib.auth.models import Group

    from tests.conftest import staff_login
    from uadesk.network import mailings
    from uadesk.network.models import Mailing
    from uadesk.staff.models import AuditEntry

    reasons = {"bounced": "hard_bounce", "full": "soft_bounces", "left": "unsubscribed", "spam": "complaint"}
    for who, reason in reasons.items():
        member_make(f"{who}@example.org", soft_bounces=3 if who == "full" else 0)
        Suppression.add(crypto.email_hash(f"{who}@example.org"), reason)
    changelist = reverse("admin:network_suppression_changelist")
    found = editor_client.get(changelist, {"q": "Bounced@Example.org"}).content.decode()
    assert "Mail the selected bounced addresses again" in found

    selected = [s.pk for s in Suppression.objects.all()]
    response = editor_client.post(changelist, {"action": "lift", "_selected_action": selected}, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert said == [
        "2 addresses will be mailed again.",
        "2 kept: people who left come back only by joining again, and addresses marked as spam are never "
        "mailed again.",
    ]
    assert {suppressed(f"{who}@example.org") for who in reasons} == {None, "unsubscribed", "complaint"}
    assert suppressed("bounced@example.org") is None and suppressed("full@example.org") is None
    assert Member.objects.get(supporter__email_hash=crypto.email_hash("full@example.org")).soft_bounces == 0
    entry = AuditEntry.objects.get(code="uadesk.suppression.lifted")
    assert (entry.actor, entry.detail) == ("mira", {"count": 2, "hard_bounce": 1, "soft_bounces": 1})

    # The next mailing reaches the two mended addresses, and not the two kept.
    mailing = Mailing.objects.get(action=open_action, kind=Mailing.Kind.NEW)
    reached = set(mailings.audience(mailing).values_list("supporter__email_hash", flat=True))
    assert reached == {crypto.email_hash("bounced@example.org"), crypto.email_hash("full@example.org")}

    # A role without the permission (an analyst) is offered no such action, and a forged POST lifts nothing.
    Suppression.add(crypto.email_hash("bounced@example.org"), "hard_bounce")
    analyst = django_user("ana", "Analyst")
    analyst.user_permissions.add(
        *Group.objects.get(name="Editor").permissions.filter(codename="view_suppression")
    )
    other = staff_login(client, analyst)
    assert "Mail the selected bounced addresses again" not in other.get(changelist).content.decode()
    one = Suppression.objects.get(reason="hard_bounce")
    other.post(changelist, {"action": "lift", "_selected_action": [one.pk]})
    assert suppressed("bounced@example.org") == "hard_bounce"


def django_user(name: str, role: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(name, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user
