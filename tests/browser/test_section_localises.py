"""A section's staff take the office's UA in a browser, to the end: the draft the feed brought, its
office text read-only and linked, the section's localisation (its embassy, a later deadline, its German
text) filled in, published; then the section's page read in German on a phone, and its links followed."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import STAFF_PASSWORD, staff_sign_in, superuser_with_authenticator
from tests.browser.test_scripts import fonts_drawing
from uadesk.actions.models import Action, Section, Target
from uadesk.federation.keys import desk_public_text
from uadesk.federation.models import FeedEntry, SectionAccess
from uadesk.federation.pull import subscription_pull
from uadesk.federation.services import access_grant, subscription_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PHONE = {"width": 390, "height": 844}
EMBASSY = "Botschaft der Volksrepublik China"
GERMAN_TITLE = "Verschwunden und willkürlich inhaftiert in Xinjiang"


def test_a_sections_staff_localise_and_publish_the_offices_action(
    desk, browser_context, open_action, django_user_model, screenshot
):
    # This desk plays both: the office serving its feed (the seed UA), and the section pulling it.
    section = Section.objects.create(code="de", name="Deutsche Sektion", country="DE")
    access, token = access_grant(section=section, desk_key=desk_public_text())
    # One database for both desks: the office noting the token's use would wait on SQLite for the pull.
    SectionAccess.objects.filter(pk=access.pk).update(last_used_at=timezone.now())
    subscription = subscription_create(
        name="International Secretariat", feed_url=desk("/federation/feed"), token=token,
        office_key=desk_public_text(), section=section,
    )  # fmt: skip
    subscription_pull(subscription)
    local = FeedEntry.objects.get().action
    assert local.status == Action.Status.DRAFT

    _, phone = superuser_with_authenticator(django_user_model, "berlin")
    page = browser_context().new_page()
    staff_sign_in(page, desk, "berlin", STAFF_PASSWORD, phone)

    # The draft, from the actions' list: the office's text shown, not in a field; its original linked.
    page.goto(desk("/staff/actions/action/?status__exact=draft"))
    page.get_by_role("link", name=local.title).first.click()
    assert page.locator('input[name="title"]').count() == 0 and local.title in page.content()
    original = page.get_by_role("link", name="International Secretariat")
    office_page = original.get_attribute("href")
    assert office_page.startswith(desk.url) and office_page.endswith(f"/actions/{open_action.slug}/")
    screenshot(page, "draft-from-the-office")
    # The officials' Chinese address, read-only here, is drawn by the face the desk serves: this machine
    # has no Chinese font of its own, as a section's laptop may not.
    xi = local.targets.get(name="Xi Jinping")
    address = page.locator("div.readonly", has_text=xi.native_address_block[0])
    page.wait_for_function(
        "[...document.fonts].length > 0 && [...document.fonts].every(f => f.status == 'loaded')"
    )
    drawn = {f["familyName"]: f["isCustomFont"] for f in fonts_drawing(page, address)}
    assert drawn.get("Noto Sans CJK SC") is True

    # Localise it: the section's localisation the pull made, filled in.
    page.get_by_role("link", name="Localise it: the section's deadline, officials and translations").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator("#result_list tbody tr th a").click()
    later = local.deadline + datetime.timedelta(days=7)
    screenshot(page, "localisation-as-pulled")
    page.fill('input[name="deadline"]', later.isoformat())
    # Its embassy, the official its supporters write to besides the office's.
    page.fill('input[name="targets-0-name"]', EMBASSY)
    page.fill('[name="targets-0-address"]', "Märkisches Ufer 54\n10179 Berlin")
    page.fill('[name="targets-0-emails"]', "botschaft@example.org")
    # Its German text, the officials' titles and salutations with it.
    page.locator(".add-row a", has_text="Add another Translation").click()
    page.fill('[name="translations-0-language"]', "de")
    page.fill('[name="translations-0-title"]', GERMAN_TITLE)
    page.fill('[name="translations-0-summary"]', "Seit 2017 sind in Xinjiang Menschen verschwunden.")
    page.fill('[name="translations-0-asks"]', "Lassen Sie sie frei.")
    screenshot(page, "localisation")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    embassy = Target.objects.get(action=local, localisation__isnull=False)
    assert embassy.name == EMBASSY

    # Back to the action, published.
    page.goto(desk(f"/staff/actions/action/{local.pk}/change/"))
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".messagelist")).to_be_visible()
    local.refresh_from_db()
    assert local.status == Action.Status.PUBLISHED

    # A supporter in Germany, on a phone: the action's plain address leads to the section's page.
    reader = browser_context(viewport=PHONE, locale="de").new_page()
    reader.goto(desk(f"/de/actions/{local.slug}/"))
    assert reader.url == desk(f"/de/sections/de/actions/{local.slug}/")
    assert reader.locator("html").get_attribute("lang") == "de"
    assert GERMAN_TITLE in reader.locator("h1").inner_text()
    text = reader.locator("main").inner_text()
    assert EMBASSY in text and "Berlin" in text
    assert reader.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    screenshot(reader, "section-page-de-phone")
    # Every link the page offers that stays on the desk answers.
    links = set(reader.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)"))
    for link in sorted(links):
        if link.startswith(desk.url):
            assert reader.request.get(link).status == 200, link
    assert office_page in links  # "the international action"
