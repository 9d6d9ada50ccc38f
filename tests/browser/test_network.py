"""A member's whole journey on a 390 px phone, in French and in Arabic: join, the confirmation email,
confirm, the case mailed in their language, "I have acted", and leaving in one click. Every link is
followed from the email as it arrived."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.browser.conftest import wait_until
from uadesk.network.mailings import mailing_send
from uadesk.network.models import ActedReport, Mailing, Member, Suppression
from uadesk.supporters import crypto

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_action(seed_action):
    """The seed action, open: the server processes run on the real clock, not the tests' frozen one."""
    seed_action.deadline = timezone.localdate() + datetime.timedelta(days=30)
    seed_action.save()
    return seed_action


def link_in(message, fragment: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return next(url for url in re.findall(r"https?://\S+", text) if fragment in url)


def arrived(mailbox, to: str, count: int = 1):
    wait_until(lambda: len([m for m in mailbox.messages if m["To"] == to]) >= count, timeout=60)
    return [m for m in mailbox.messages if m["To"] == to][count - 1]


@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl")])
def test_a_member_joins_gets_the_case_says_they_acted_and_leaves_on_a_phone(
    desk, desk_worker, browser_context, open_action, screenshot, language, direction
):
    mailbox = desk_worker
    email = f"membre.{language}@example.org"
    page = browser_context(viewport=PHONE, locale=language).new_page()
    page.goto(desk(f"/{language}/network/join/"))
    assert page.locator("html").get_attribute("dir") == direction
    no_overflow = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert page.evaluate(no_overflow)
    page.fill('input[name="email"]', email)
    page.select_option('select[name="language"]', language if language != "zh" else "zh")
    screenshot(page, "join")
    with page.expect_navigation():
        page.locator('main form[action*="/network/join/"] button[type="submit"]').click()
    screenshot(page, "join-sent")
    assert Member.objects.get(supporter__email_hash=crypto.email_hash(email)).status == "pending"

    confirmation = arrived(mailbox, email)
    assert f'lang="{language}' in confirmation.get_body(("html",)).get_content()
    page.goto(link_in(confirmation, "/network/member/"))
    # Opening the link changes nothing: mail scanners open links.
    assert Member.objects.get(supporter__email_hash=crypto.email_hash(email)).status == "pending"
    with page.expect_navigation():
        page.locator('form[action*="/confirm/"] button[type="submit"]').click()
    screenshot(page, "confirmed")
    member = Member.objects.get(supporter__email_hash=crypto.email_hash(email))
    assert member.status == "active" and member.consented_at and member.consent_text

    # Staff send the case; the worker writes its recipients and mails them.
    mailing_send(Mailing.objects.get(action=open_action, kind="new"))
    case = arrived(mailbox, email, 2)
    assert case["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = case.get_body(("html",)).get_content()
    assert f'<html lang="{language}' in html and f'dir="{direction}"' in html
    xi = open_action.targets.get(name="Xi Jinping")
    assert xi.native_address_lines[0] in case.get_body(("plain",)).get_content()

    page.goto(link_in(case, f"/{language}/actions/{open_action.slug}/"))  # in their language
    assert page.locator("h1").inner_text() == open_action.title  # "write now" opens the case
    page.goto(link_in(case, "/network/acted/").rsplit("/", 2)[0] + "/post/")
    assert not ActedReport.objects.exists()
    with page.expect_navigation():
        page.locator('main form button[type="submit"]').click()
    screenshot(page, "acted")
    assert ActedReport.objects.filter(member=member, channel="post").count() == 1

    page.goto(case["List-Unsubscribe"].strip("<>"))
    screenshot(page, "leave")
    with page.expect_navigation():
        page.locator('main form button[type="submit"]').click()
    screenshot(page, "left")
    member.refresh_from_db()
    assert member.status == "left"
    assert Suppression.objects.filter(email_hash=crypto.email_hash(email)).exists()
