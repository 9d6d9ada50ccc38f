"""News of a case and reminders carry a one-click way to stop them (a link and RFC 8058 headers); the
emails a supporter just asked for do not."""

import json
import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from tests.appeals.helpers import confirm
from uadesk.actions.models import CaseNewsStop, Outcome, OutcomeNotice, Reminder
from uadesk.actions.services import outcome_record
from uadesk.appeals.services import Writer, appeal_submit
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.supporters.models import Supporter
from uadesk.supporters.news import agreements, emails_stop, reminder_ask, stop_url
from uadesk.supporters.outbox import data_link_queue

pytestmark = pytest.mark.django_db


def follow(action, email: str) -> None:
    """A letter by post from a supporter who asked for news of the case and confirmed their email."""
    xi = action.targets.get(name="Xi Jinping")
    key = uuid.uuid4()
    appeal_submit(
        action=action, targets=[xi], channel="post", language="en", subject="s",
        letters={xi.pk: "Release them."}, key=key, writer=Writer(name="Ada", email=email, wants_updates=True),
    )  # fmt: skip
    confirm(key)


def news(action) -> Outcome:
    return outcome_record(
        Outcome(action=action, kind="released", happened_on=timezone.localdate(), public_note="Released.")
    )


def test_news_carries_a_one_click_stop_and_the_email_asked_for_does_not(open_action, smtp_server):
    mailbox, _ = smtp_server
    follow(open_action, "ada@example.org")
    news(open_action)
    data_link_queue(Supporter.find("ada@example.org").email_hash)  # one she asked for, just now
    assert deliver_messages.call() == 3  # with the receipt of her letter
    by_subject = {m["Subject"]: m for m in mailbox.wait_for(3)}
    told = next(m for s, m in by_subject.items() if "News of the case" in s)
    assert told["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = told["List-Unsubscribe"].strip("<>")
    assert link.startswith("http") and "/supporters/stop/" in link
    assert link in told.get_body(("plain",)).get_content()
    asked = by_subject["Your link to the data we hold about you"]
    receipt = next(m for s, m in by_subject.items() if s.startswith("Your letters for"))
    assert receipt["List-Unsubscribe"] is None  # their record of what they sent, asked for by confirming
    assert asked["List-Unsubscribe"] is None and asked["List-Unsubscribe-Post"] is None


def test_opening_the_link_changes_nothing_and_the_one_click_post_stops_the_news(open_action, smtp_server):
    follow(open_action, "ada@example.org")
    follow(open_action, "grace@example.org")
    ada = Supporter.find("ada@example.org")
    path = stop_url(ada, "news", open_action).split("://", 1)[1].split("/", 1)[1]
    mail_app = Client(enforce_csrf_checks=True)  # as a mail provider posts it: no form, no cookie
    page = mail_app.get(f"/{path}")
    assert page.status_code == 200 and "Stop news of this case" in page.content.decode()
    assert not CaseNewsStop.objects.exists()
    waiting = news(open_action)  # news already in the outbox for Ada too
    answer = mail_app.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and "no more news" in answer.content.decode()
    assert mail_app.post(f"/{path}", {"List-Unsubscribe": "One-Click"}).status_code == 200  # twice is fine
    ada_notice = OutcomeNotice.objects.get(outcome=waiting, supporter=ada)
    assert Message.objects.get(kind="outcome-news", ref=ada_notice.pk).status == "cancelled"
    # The next news goes to Grace only.
    later = news(open_action)
    assert [n.supporter.email for n in OutcomeNotice.objects.filter(outcome=later)] == ["grace@example.org"]


def test_a_reminder_can_be_cancelled_from_its_email(open_action, client, settings):
    reminder = reminder_ask(action=open_action, email="ada@example.org")
    path = stop_url(reminder.supporter, "reminder", open_action).split("://", 1)[1].split("/", 1)[1]
    assert client.post(f"/{path}").status_code == 200
    assert not Reminder.objects.exists()


def test_a_forged_or_ended_stop_link_is_refused(open_action, client):
    ada = Supporter.for_email("ada@example.org")
    good = stop_url(ada, "news", open_action).split("://", 1)[1].split("/", 1)[1]
    assert client.post(f"/{good[:-3]}xyz/").status_code == 404
    ada.delete()  # erased: the link ends with the row
    assert client.post(f"/{good}").status_code == 404
    assert not CaseNewsStop.objects.exists()


def test_their_data_page_lists_what_they_agreed_to_and_stops_it(open_action, client):
    from uadesk.supporters.links import data_url
    from uadesk.supporters.services import export

    follow(open_action, "ada@example.org")
    reminder_ask(action=open_action, email="ada@example.org")
    ada = Supporter.find("ada@example.org")
    assert [e["email"] for e in export(ada)["supporter"]["emails_agreed"]] == ["news", "reminder"]
    page = client.get(urlsplit(data_url(ada)).path)
    html = page.content.decode()
    assert page.status_code == 200 and "Stop news of this case" in html and "Cancel this reminder" in html
    stop = html.split('class="agreements"', 1)[1].split('action="', 1)[1].split('"', 1)[0]
    assert client.post(stop).status_code == 200  # the page's own button, as the supporter presses it
    agreed = export(ada)["supporter"]["emails_agreed"]
    assert [(e["email"], e["stopped"]) for e in agreed] == [("news", True), ("reminder", False)]


def test_news_they_stopped_shows_as_stopped_and_their_data_page_brings_it_back(open_action):
    from uadesk.supporters.links import data_url

    follow(open_action, "ada@example.org")
    ada = Supporter.find("ada@example.org")
    emails_stop(supporter=ada, what="news", action=open_action)  # from the link in a news email
    browser = Client(enforce_csrf_checks=True)
    own_page = urlsplit(data_url(ada)).path
    html = browser.get(own_page).content.decode()
    agreements_list = html.split('class="agreements"', 1)[1].split("</ul>", 1)[0]
    assert "You stopped it." in agreements_list and "Stop news of this case" not in agreements_list
    download = json.loads(browser.get(own_page + "download/").content)
    stopped = {"email": "news", "action": open_action.title, "stopped": True}
    assert download["supporter"]["emails_agreed"] == [stopped]

    [(again, csrf)] = re.findall(
        r'<form method="post" action="([^"]+)" class="inline">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
        r'<button type="submit" class="secondary">Hear news of this case again</button>',
        agreements_list,
    )
    token = own_page.split("/data/", 1)[1].split("/", 1)[0]
    forged = again.replace(token, token[:-3] + "xyz")
    assert browser.post(forged, {"csrfmiddlewaretoken": csrf}).status_code == 404
    assert CaseNewsStop.objects.filter(supporter=ada).exists()
    answer = browser.post(again, {"csrfmiddlewaretoken": csrf})
    assert (answer.status_code, answer["Location"]) == (302, own_page)
    assert not CaseNewsStop.objects.exists()
    assert "Stop news of this case" in browser.get(own_page).content.decode()
    download = json.loads(browser.get(own_page + "download/").content)
    assert download["supporter"]["emails_agreed"] == [stopped | {"stopped": False}]
    # The next news reaches her again.
    assert OutcomeNotice.objects.filter(outcome=news(open_action), supporter=ada).exists()


def test_a_reminder_queued_goes_to_no_one_who_wrote_since(open_action, smtp_server):
    from uadesk.supporters.news import reminders_queue

    reminder = reminder_ask(action=open_action, email="ada@example.org")
    assert reminders_queue([reminder]) == 1
    follow(open_action, "ada@example.org")  # she writes before the worker gets to it
    deliver_messages.call()
    message = Message.objects.get(kind="reminder")
    assert (message.status, message.last_error) == ("cancelled", "they wrote since it was queued")


def test_a_reminder_email_carries_a_one_click_stop_that_cancels_that_reminder(open_action, smtp_server):
    from uadesk.actions.models import Action
    from uadesk.supporters.news import reminders_queue

    mailbox, _ = smtp_server
    other = Action.objects.create(
        slug="another", title="Another", summary="S", deadline=open_action.deadline, status="published"
    )
    reminder = reminder_ask(action=open_action, email="ada@example.org")
    reminder_ask(action=other, email="ada@example.org")  # not yet due
    assert reminders_queue([reminder]) == 1
    assert deliver_messages.call() == 1
    [email] = mailbox.wait_for(1)
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = email["List-Unsubscribe"].strip("<>")
    assert link.startswith("http") and link in email.get_body(("plain",)).get_content()
    mail_app = Client(enforce_csrf_checks=True)  # as a mail provider posts it: no form, no cookie
    answer = mail_app.post(urlsplit(link).path, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and "no reminder for this action" in answer.content.decode()
    # That reminder is gone, and so off their data page; the one for the other action stays.
    assert [r.action for r in Reminder.objects.all()] == [other]
    assert [(a.what, a.action) for a in agreements(reminder.supporter)] == [("reminder", other)]
