"""After signing, in a real browser: the home page lists the petition, and the thanks page copies its
link with one press and leads to a letter; axe-core finds nothing serious there."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from uadesk.petitions.models import Petition

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def open_action(seed_action):
    """The seed action, open: the server process runs on the real clock, not the tests' frozen one."""
    seed_action.deadline = timezone.localdate() + datetime.timedelta(days=30)
    seed_action.save()
    return seed_action


def test_after_signing_the_link_is_copied_with_one_press(desk, browser_context, open_action, screenshot):
    Petition.objects.create(action=open_action, slug="close-the-camps", title="Close the camps", text="T")
    context = browser_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=desk.url)
    page = context.new_page()
    page.goto(desk("/en/"))
    page.get_by_role("link", name="Close the camps").click()  # from the home page's open petitions
    page.goto(desk("/en/petitions/close-the-camps/thanks/"))
    button = page.get_by_role("button", name="Copy the link")
    button.click()
    page.get_by_text("The link is copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == desk("/petitions/close-the-camps/")
    screenshot(page, "thanks-link-copied")
    assert page.get_by_role("link", name=f"Write a letter: {open_action.title}").get_attribute("href") == (
        f"/en/actions/{open_action.slug}/write/"
    )
    violations = Axe().run(page).response["violations"]
    assert not [v["id"] for v in violations if v["impact"] in ("serious", "critical")], violations
