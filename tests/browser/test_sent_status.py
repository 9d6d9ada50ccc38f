"""The sent page in a real browser: it shows the letter's new status, with no reload, once the supporter
confirms their email elsewhere; it asks only the desk."""

import datetime

import pytest
from django.utils import timezone

from tests.appeals.helpers import confirm
from uadesk.appeals.models import Appeal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def open_action(seed_action):
    """The seed action, open: the server process runs on the real clock, not the tests' frozen one."""
    seed_action.deadline = timezone.localdate() + datetime.timedelta(days=30)
    seed_action.save()
    return seed_action


def test_the_sent_page_shows_the_new_status_without_a_reload(desk, browser_context, open_action, screenshot):
    context = browser_context()
    page = context.new_page()
    status_requests = []
    page.on("request", lambda r: status_requests.append(r.url) if "status.json" in r.url else None)
    xi = open_action.targets.get(name="Xi Jinping")
    page.goto(desk(f"/en/actions/{open_action.slug}/write/?target={xi.pk}"))
    page.get_by_label("Your name").fill("Zoë Martin")
    page.locator('input[name="email"]').fill("zoe@example.org")
    page.get_by_role("button", name="Preview my letter").click()
    page.get_by_role("button", name="Send", exact=True).click()
    state = page.locator(f'.appeal-state[data-target="{xi.pk}"]')
    state.wait_for()
    assert state.inner_text() == "Waiting for you to confirm your email"
    assert "One step left" in page.locator(".notice").inner_text()
    screenshot(page, "waiting-for-the-email")
    # Anything that reloads the page would lose this.
    page.evaluate("window.notReloaded = true")

    # She confirms from the email on her phone: this page learns of it by itself.
    confirm(Appeal.objects.get().submission)
    assert Appeal.objects.get().status == Appeal.Status.QUEUED
    page.wait_for_function(
        "s => document.querySelector(s).textContent.includes('Being sent')",
        arg=f'.appeal-state[data-target="{xi.pk}"]',
    )
    assert " ".join(state.inner_text().split()) == "Being sent — the desk is sending your letter now."
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("[data-while-unconfirmed]").count() == 0
    screenshot(page, "queued-without-a-reload")
    assert status_requests and all(url.startswith(desk.url + "/") for url in status_requests)

    # Sent by the worker: the page says so, and stops asking.
    Appeal.objects.update(status=Appeal.Status.SENT)
    page.wait_for_function(
        "s => document.querySelector(s).textContent.trim() === 'Sent'",
        arg=f'.appeal-state[data-target="{xi.pk}"]',
    )
    assert page.evaluate("window.notReloaded") is True
