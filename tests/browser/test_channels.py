"""On a small phone, a supporter writes to two officials in one form, each by the way that reaches them, then
sends the email from their own webmail with the page's copy buttons."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.test_accessibility import BLOCKING, axe_violations
from uadesk.appeals.models import Appeal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_action(seed_action):
    """The seed action, open: the server processes run on the real clock, not the tests' frozen one."""
    seed_action.deadline = timezone.localdate() + datetime.timedelta(days=30)
    seed_action.save()
    return seed_action


def fits(page) -> bool:
    """Nothing sticks out sideways: the page scrolls only down, as a phone's page should."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def channels(page, name: str):
    return page.get_by_role("group", name=f"How to send your letter to {name}")


def offered(page, name: str) -> list[str]:
    return [radio.get_attribute("value") for radio in channels(page, name).get_by_role("radio").all()]


def test_two_officials_each_by_their_own_way_and_the_email_copied_into_webmail(
    desk, browser_context, open_action, screenshot
):
    context = browser_context(viewport=PHONE, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    xi, ma = open_action.targets.get(name="Xi Jinping"), open_action.targets.get(name="Ma Xingrui")
    page.goto(desk(f"/actions/{open_action.slug}/write/"))
    # Xi Jinping is ticked and offered every way that reaches him; Ma Xingrui's ways show once ticked.
    assert offered(page, "Xi Jinping") == ["email", "post", "mailto"]  # no fax gateway on this desk
    assert not channels(page, "Ma Xingrui").is_visible()
    page.get_by_label("Ma Xingrui — party secretary of Xinjiang").check()
    assert channels(page, "Ma Xingrui").is_visible()
    assert offered(page, "Ma Xingrui") == ["post"]
    assert channels(page, "Ma Xingrui").get_by_label("Post").is_checked()
    channels(page, "Xi Jinping").get_by_label("Email from my own mail app").check()
    page.get_by_label("Your name").fill("Zoë Martin")
    page.get_by_label("Your town").fill("Lyon")
    page.get_by_label("Your country").select_option("FR")
    assert fits(page)
    screenshot(page, "compose")

    page.get_by_role("button", name="Preview my letter").click()
    assert "Email from my own mail app" in page.get_by_role("region", name="Xi Jinping").inner_text()
    assert "Post" in page.get_by_role("region", name="Ma Xingrui").inner_text()
    screenshot(page, "preview")
    page.get_by_role("button", name="Send", exact=True).click()

    assert page.locator("h1").inner_text() == "Now send your letters"
    appeals = {a.target_id: a for a in Appeal.objects.all()}
    assert (appeals[xi.pk].channel, appeals[ma.pk].channel) == ("mailto", "post")
    copy_address = page.get_by_role("button", name="Copy the address")
    copy_address.wait_for(state="visible")  # the desk's script shows the buttons it works (deferred)
    assert fits(page)
    screenshot(page, "sent")
    for name, copied in [
        ("Copy the address", "english@mail.gov.cn"),
        ("Copy the subject", appeals[xi.pk].subject),
        ("Copy the letter", appeals[xi.pk].body),
    ]:
        # Pinned by its place, not its name: once it has copied, it says so instead.
        button = page.get_by_role("button", name=name).element_handle()
        button.click()
        page.wait_for_function("button => button.textContent === 'Copied'", arg=button)
        assert page.evaluate("navigator.clipboard.readText()") == copied
        assert page.locator("#copy-status").text_content() == "Copied"  # said to a screen reader too
    assert "Zoë Martin, Lyon" in appeals[xi.pk].body and "\n\n" in appeals[xi.pk].body  # copied as it is
    screenshot(page, "copied")

    page.get_by_role("button", name="I have sent it").click()
    assert "Xi Jinping: Sent by you" in page.locator(".appeal-status").inner_text()
    assert page.locator("h1").inner_text() == "Now send your letter"  # the letter to post is still to go
    page.get_by_role("button", name="I have posted it").click()
    assert page.locator("h1").inner_text() == "Thank you for acting"
    assert set(Appeal.objects.values_list("status", flat=True)) == {"sent_by_supporter", "posted"}
    screenshot(page, "thanked")


def test_the_form_and_the_letter_to_copy_fit_a_phone_in_arabic(
    desk, browser_context, open_action, screenshot
):
    page = browser_context(viewport=PHONE).new_page()
    page.goto(desk(f"/ar/actions/{open_action.slug}/write/"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator('.official input[value="mailto"]').check()
    page.locator('input[name="name"]').fill("أمل حداد")
    page.locator('select[name="country"]').select_option("LB")
    assert fits(page)
    screenshot(page, "compose")
    page.locator('button[value="preview"]').click()
    page.locator('button[value="send"]').click()
    page.locator("button.copy").first.wait_for(state="visible")  # shown by the deferred script
    assert page.locator("button.copy").count() == 3
    assert fits(page)
    screenshot(page, "sent")
    problems = axe_violations(page, "sent-to-copy")
    blocking = [text for impact, text in problems if impact in BLOCKING]
    assert not blocking, "\n".join(blocking)
