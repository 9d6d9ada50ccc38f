"""A reader on a phone opens an action page from an email: they are given no cookie, the page's reminder
and language forms work without a CSRF token, and a page on another site that posts the reminder form
for its readers is refused (uadesk/security.py, same_site_form)."""

import pytest
from django.conf import settings

from uadesk.actions.models import Reminder

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PHONE = {"width": 390, "height": 844}
ELSEWHERE = "http://127.0.0.2:8080/news.html"  # another site: another host, not only another port


def test_a_reader_gets_no_cookie_and_the_pages_forms_work_but_not_from_another_site(
    desk, chromium, browser_context, open_action, screenshot
):
    context = browser_context(viewport=PHONE)
    page = context.new_page()
    url = desk(open_action.get_absolute_url())
    page.goto(url)
    page.reload()  # the page kept for everyone
    assert page.locator("h1").inner_text() and context.cookies() == []
    screenshot(page, "action-page")

    page.locator("#remind-email").fill("ada@example.org")
    page.get_by_role("button", name="Remind me").click()
    page.wait_for_load_state()
    assert "We will remind you" in page.locator("main").inner_text()
    assert context.cookies() == [] and Reminder.objects.filter(action=open_action).count() == 1
    screenshot(page, "reminder-set")

    page.goto(url)
    page.select_option("#language-choice", "fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_url("**/fr/**")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert [cookie["name"] for cookie in context.cookies()] == [settings.LANGUAGE_COOKIE_NAME]
    screenshot(page, "in-french")

    # A page elsewhere whose form posts itself to the desk's reminder, as its readers open it.
    remind = desk(f"/en/supporters/remind/{open_action.slug}/")
    forged = (
        f'<form method="post" action="{remind}"><input name="email" value="someone@example.org"></form>'
        "<script>document.forms[0].submit()</script>"
    )
    other = chromium.new_context()
    other.route(ELSEWHERE, lambda route: route.fulfill(content_type="text/html", body=forged))
    victim = other.new_page()
    with victim.expect_response(remind) as answer:
        victim.goto(ELSEWHERE)
    other.close()
    assert answer.value.status == 403
    assert Reminder.objects.filter(action=open_action).count() == 1
