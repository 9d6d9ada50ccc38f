"""Mailings: drafted on publishing, sent to the members whose choices the case matches, in their language,
through the outbox; paused, resumed, cancelled, scheduled; each member once, whatever runs again."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from uadesk.actions.models import Action, Outcome, Theme
from uadesk.actions.services import outcome_record
from uadesk.delivery.models import Message
from uadesk.delivery.outbox import claim_due
from uadesk.delivery.tasks import deliver_messages
from uadesk.network import mailings
from uadesk.network.models import ActedReport, Mailing, Member, Recipient, Suppression
from uadesk.network.tasks import mailing_queue, mailings_tick
from uadesk.reports.services import appeal_report
from uadesk.supporters import crypto
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db


def member(email: str, *, languages="en", channel="email", most=None, countries="", status="active", **extra):
    found = Member(
        supporter=Supporter.for_email(email), languages=languages, channel=channel, most_per_30_days=most,
        countries=countries, status=status, **extra,
    )  # fmt: skip
    if channel == "post":
        found.postal_address = f"{email}\n1 Rue de la Paix\n75000 Paris"
    found.save()
    return found


def draft(action: Action) -> Mailing:
    return Mailing.objects.get(action=action, kind=Mailing.Kind.NEW)


def send_and_queue(mailing: Mailing) -> Mailing:
    mailings.mailing_send(mailing)
    mailing_queue.call(mailing.pk)
    mailing.refresh_from_db()
    return mailing


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def test_publishing_drafts_one_mailing_and_an_outcome_another(open_action):
    assert Mailing.objects.filter(action=open_action, kind=Mailing.Kind.NEW).count() == 1
    open_action.save()
    open_action.publish()
    assert Mailing.objects.filter(action=open_action).count() == 1
    outcome_record(
        Outcome(action=open_action, kind="released", happened_on=timezone.localdate(), public_note="Freed.")
    )
    assert Mailing.objects.filter(action=open_action, kind=Mailing.Kind.OUTCOME).count() == 1
    draft_action = Action.objects.create(title="Draft", slug="draft", summary="s")
    assert not Mailing.objects.filter(action=draft_action).exists()


def test_the_audience_is_who_chose_the_case_and_may_be_mailed(open_action):
    china = open_action.case_countries()[0]
    assert china == "CN"
    theme = Theme.objects.create(name="Detention", slug="detention")
    open_action.themes.add(theme)
    everyone = member("any@example.org")
    by_country = member("cn@example.org", countries="IR, cn")
    by_theme = member("theme@example.org", countries="IR")
    by_theme.themes.add(theme)
    member("other-country@example.org", countries="IR")
    member("pending@example.org", status="pending")
    member("left@example.org", status="left")
    member("paused@example.org", paused_until=timezone.localdate() + datetime.timedelta(days=3))
    member("paused-before@example.org", paused_until=timezone.localdate() - datetime.timedelta(days=1))
    suppressed = member("suppressed@example.org")
    Suppression.add(suppressed.supporter.email_hash, Suppression.Reason.COMPLAINT)
    mailing = draft(open_action)
    reached = set(mailings.audience(mailing).values_list("supporter__email_hash", flat=True))
    expected = {"any", "cn", "theme", "paused-before"}
    assert reached == {crypto.email_hash(f"{who}@example.org") for who in expected}
    assert everyone.pk and by_country.pk

    # Staff narrow it: French readers by post; the size is what the page shows.
    member("fr-post@example.org", languages="fr,en", channel="post")
    member("fr@example.org", languages="es, fr")
    mailing.languages, mailing.channel = "fr", "post"
    mailing.save()
    assert [m.supporter.email for m in mailings.audience(mailing)] == ["fr-post@example.org"]


def test_each_member_gets_the_case_in_their_language_and_says_they_acted(open_action, smtp_server):
    mailbox, _ = smtp_server
    member("en@example.org", languages="en")
    member("fr@example.org", languages="it,fr")
    mailing = send_and_queue(draft(open_action))
    assert mailing.status == Mailing.Status.SENDING and mailing.queued_all_at
    assert deliver_messages.call() == 2
    received = {m["To"]: m for m in mailbox.wait_for(2)}
    french = received["fr@example.org"]
    english = received["en@example.org"]
    # She reads Italian first, which the desk does not speak: French, her next.
    assert '<html lang="fr"' in french.get_body(("html",)).get_content()
    assert french["Subject"] == f"Action urgente : {open_action.title}"
    assert english["Subject"] == f"Urgent Action: {open_action.title}"
    body = english.get_body(("plain",)).get_content()
    xi = open_action.targets.get(name="Xi Jinping")
    assert xi.native_address_lines[0] in body  # the address in its own script
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert english["List-Unsubscribe"].strip("<>") in body
    # As a mail app reads it: the member's own link on the header's one line, not encoded words.
    assert f"List-Unsubscribe: {english['List-Unsubscribe']}".encode() in english.raw.split(b"\r\n")
    write = next(url for url in links(body) if url.endswith(open_action.get_absolute_url()))
    client = Client()
    assert client.get(urlsplit(write).path).status_code == 200

    acted = [url for url in links(body) if "/network/acted/" in url]
    assert len(acted) >= 2 and any(url.rstrip("/").endswith("/email") for url in acted)
    by_email = next(url for url in acted if url.rstrip("/").endswith("/email"))
    path = urlsplit(by_email).path
    assert client.get(path).status_code == 200
    assert not ActedReport.objects.exists()  # opening the link counts nothing: mail scanners open links
    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 200  # pressed twice: counted once
    report = mailings.mailing_report(mailing)
    assert report["acted_off_desk"] == {"email": 1}
    assert report["sent"] == 2 and report["recipients"] == 2
    dashboard = appeal_report(open_action)
    assert dashboard.off_desk == [("Email sent", 1)] and dashboard.total == 0  # apart from the desk's appeals
    mailings_tick.call()
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT

    # A forged link counts nothing.
    assert client.post(path.replace("/email/", "/post/")[:-8] + "xxxxxxx/post/").status_code == 404
    assert ActedReport.objects.count() == 1


def test_an_update_goes_to_those_who_had_the_case(open_action, smtp_server):
    mailbox, _ = smtp_server
    member("had@example.org")
    send_and_queue(draft(open_action))
    deliver_messages.call()
    member("joined-since@example.org")
    update = Action.objects.create(
        title="Update", slug="update", summary="Still held.", kind=Action.Kind.UPDATE, earlier=open_action,
        deadline=open_action.deadline,
    )  # fmt: skip
    update.publish()
    mailing = Mailing.objects.get(action=update)
    assert mailing.kind == Mailing.Kind.UPDATE
    assert [m.supporter.email for m in mailings.audience(mailing)] == ["had@example.org"]


def test_pause_holds_what_waits_resume_sends_it_and_cancel_stops_the_rest(
    open_action, smtp_server, staff_user
):
    mailbox, _ = smtp_server
    for n in range(4):
        member(f"m{n}@example.org")
    mailing = send_and_queue(draft(open_action))
    assert mailings.mailing_pause(mailing, user=staff_user) == 4
    assert deliver_messages.call() == 0
    assert mailings.mailing_resume(mailing, user=staff_user) == 4
    assert deliver_messages.call() == 4
    assert len(mailbox.wait_for(4)) == 4

    other = Action.objects.create(title="Other", slug="other", summary="s", deadline=open_action.deadline)
    other.targets.create(name="Official", emails="o@example.gov", country="CN")
    other.publish()
    second = send_and_queue(draft(other))
    assert mailings.mailing_cancel(second, user=staff_user) == 4
    assert deliver_messages.call() == 0
    assert set(Recipient.objects.filter(mailing=second).values_list("status", flat=True)) == {"skipped"}
    assert mailings.mailing_report(second)["not_sent"] == 4


def test_a_mailing_set_for_later_starts_at_its_time(open_action, smtp_server):
    member("later@example.org")
    mailing = draft(open_action)
    when = timezone.now() + datetime.timedelta(hours=2)
    mailings.mailing_send(mailing, when=when)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED
    assert mailings.mailings_due(now=timezone.now()) == 0
    assert mailings.mailings_due(now=when + datetime.timedelta(seconds=1)) == 1
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    with pytest.raises(mailings.NotSendable):
        mailings.mailing_send(mailing)


def test_queuing_again_after_a_crash_mails_nobody_twice(open_action):
    for n in range(7):
        member(f"m{n}@example.org")
    mailing = draft(open_action)
    mailings.mailing_send(mailing)
    # The first run got through one chunk of three, then its worker died.
    rows = list(mailings.planned(mailing))
    assert mailings._queue_chunk(mailing, rows[:3], ["en"]) == 3
    assert mailing_queue.call(mailing.pk) == 4
    assert mailing_queue.call(mailing.pk) == 0
    assert Recipient.objects.filter(mailing=mailing).count() == 7
    refs = Message.objects.filter(kind=Message.Kind.MAILING).values_list("ref", flat=True)
    assert sorted(refs) == sorted(Recipient.objects.filter(mailing=mailing).values_list("pk", flat=True))


def test_members_by_post_wait_for_the_print_run(open_action):
    member("post@example.org", channel="post")
    mailing = send_and_queue(draft(open_action))
    recipient = Recipient.objects.get(mailing=mailing)
    assert recipient.channel == "post" and recipient.status == Recipient.Status.PLANNED
    assert not Message.objects.filter(kind=Message.Kind.MAILING).exists()
    assert mailings.mailing_report(mailing)["by_post"] == 1


def test_a_letter_queued_after_a_mailing_does_not_wait_behind_it(open_action):
    for n in range(60):
        member(f"m{n}@example.org")
    send_and_queue(draft(open_action))
    data_link = Message.objects.create(kind=Message.Kind.DATA_LINK, ref=0)  # queued after the 60
    claimed = claim_due(timezone.now(), token="worker-1", limit=50)
    assert data_link in claimed
    assert len(claimed) == 50 and sum(m.bulk for m in claimed) == 49


def test_a_mailing_email_that_bounces_shows_in_its_report_and_is_never_sent_again(
    open_action, smtp_server, monkeypatch, settings
):
    from tests.appeals.test_bounces import dsn, pipe

    settings.BOUNCE_DOMAIN = "bounces.section.example"
    mailbox, _ = smtp_server
    member("gone@example.org")
    member("here@example.org")
    mailing = send_and_queue(draft(open_action))
    deliver_messages.call()
    gone = next(m for m in mailbox.wait_for(2) if m["To"] == "gone@example.org")
    assert gone.envelope_sender.startswith("bounces+m")  # each email its own bounce address
    said = pipe(dsn(gone.envelope_sender, "5.1.1"), monkeypatch)
    assert said.endswith("the address does not exist; it is not mailed again")
    report = mailings.mailing_report(mailing)
    assert report["bounced"] == 1 and report["sent"] == 1
    assert Suppression.objects.filter(email_hash=crypto.email_hash("gone@example.org")).exists()
    # The next case does not go to it.
    other = Action.objects.create(title="Other", slug="other", summary="s", deadline=open_action.deadline)
    other.targets.create(name="Official", emails="o@example.gov", country="CN")
    other.publish()
    send_and_queue(draft(other))
    deliver_messages.call()
    assert [m["To"] for m in mailbox.messages].count("gone@example.org") == 1


def test_members_with_a_limit_get_the_case_where_the_allocation_gives_it_and_staff_read_why(
    open_action, editor_client
):
    from django.urls import reverse

    open_action.writers_wanted, open_action.preferred_languages = 3, "zh, en"
    open_action.save()
    member("every@example.org", languages="fr")
    member("reads-zh@example.org", languages="fr, zh", most=1)
    member("chose-cn@example.org", languages="fr", most=1, countries="CN")
    member("other-1@example.org", languages="fr", most=1)
    member("other-2@example.org", languages="fr", most=1)
    mailing = draft(open_action)
    page = editor_client.get(reverse("admin:network_mailing_change", args=[mailing.pk])).content.decode()
    assert "3 writers wanted" in page  # the plan, explained before sending
    send_and_queue(mailing)
    got = {r.member.supporter.email: r.why for r in Recipient.objects.filter(mailing=mailing)}
    assert got == {
        "every@example.org": "every case",
        "reads-zh@example.org": "reads zh",
        "chose-cn@example.org": "chose CN",
    }
    page = editor_client.get(reverse("admin:network_mailing_change", args=[mailing.pk])).content.decode()
    assert "reads zh" in page and "chose CN" in page


def test_a_mailing_keeps_a_record_of_each_failed_try_and_no_row_for_those_that_went(open_action, smtp_server):
    from uadesk.delivery.models import Attempt

    mailbox, _ = smtp_server
    mailbox.refuse_once["busy@example.org"] = "451 Try again later"
    for who in ("busy", "fine"):
        member(f"{who}@example.org")
    send_and_queue(draft(open_action))
    deliver_messages.call()
    busy = Message.objects.get(
        kind="mailing",
        ref=Recipient.objects.get(member__supporter__email_hash=crypto.email_hash("busy@example.org")).pk,
    )
    assert busy.status == "waiting" and busy.attempts == 1
    assert [(a.number, a.outcome) for a in busy.attempt_log.all()] == [(1, "retry")]
    Message.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now())
    deliver_messages.call()
    busy.refresh_from_db()
    assert busy.status == "sent" and busy.attempts == 2
    assert [(a.number, a.outcome) for a in busy.attempt_log.all()] == [
        (1, "retry")
    ]  # the try that went: no row
    assert not Attempt.objects.filter(message__kind="mailing", outcome="sent").exists()
    assert sorted(m["To"] for m in mailbox.messages) == ["busy@example.org", "fine@example.org"]


def test_a_recipient_whose_worker_died_after_its_email_went_shows_as_sent_when_the_mailing_ends(open_action):
    member("m@example.org")
    mailing = send_and_queue(draft(open_action))
    # The email went and its message says so; the worker died before telling the recipient row.
    Message.objects.filter(kind="mailing").update(status="sent", sent_at=timezone.now())
    assert Recipient.objects.get(mailing=mailing).status == Recipient.Status.QUEUED
    mailings_tick.call()
    assert Recipient.objects.get(mailing=mailing).status == Recipient.Status.SENT
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT and mailings.mailing_report(mailing)["sent"] == 1


def test_readers_of_chinese_get_the_case_in_the_characters_they_read(client, open_action):
    """Both scripts read the officials' Chinese (the allocation's "zh"); each gets the desk in its own."""
    traditional = member("tw@example.org", languages="zh-hant")
    simplified = member("cn@example.org", languages="zh")
    send_and_queue(draft(open_action))
    languages = dict(Recipient.objects.values_list("member_id", "language"))
    assert languages == {traditional.pk: "zh-hant", simplified.pk: "zh-hans"}
    # Joining from the page in traditional characters, that is the language the form offers first.
    html = client.get("/zh-hant/network/join/").content.decode()
    assert re.search(r'<option value="zh-hant" selected>', html)
