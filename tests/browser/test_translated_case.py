"""A reader on a phone reads the case in their language, switches to the original and back, and writes
in the language they choose; a reader whose language the case lacks is told so and offered the others."""

import re

import pytest

from tests.actions.test_translations import case_in_english, french
from tests.browser.conftest import wait_until
from uadesk.actions.models import ModelLetter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def action():
    return case_in_english()


def test_a_french_reader_reads_the_case_in_french_and_writes_to_the_minister_in_french(
    desk,
    desk_worker,
    browser_context,
    action,
    screenshot,
):
    mailbox = desk_worker
    french(action)
    ModelLetter.objects.create(
        action=action, language="fr", body="Veuillez les libérer sans délai.", closing="Veuillez agréer…"
    )
    minister = action.targets.get(name="Jane Roe")
    page = browser_context(viewport=PHONE, locale="fr-FR").new_page()
    page.goto(desk("/fr/"))
    page.get_by_role("link", name="Deux défenseurs d’une rivière détenus sans inculpation").click()
    heading = page.locator("h1")
    assert heading.inner_text() == "Deux défenseurs d’une rivière détenus sans inculpation"
    assert heading.get_attribute("lang") == "fr"
    assert page.locator(".target .position").first.inner_text() == "Ministre de l’Intérieur"
    assert page.locator(".notice.text-language").count() == 0
    screenshot(page, "case-in-french")

    # The original, the interface staying French; then back.
    page.locator(".text-languages").get_by_role("link", name="English").click()
    assert heading.inner_text() == "Two river defenders held without charge"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("link", name="Écrire un appel").is_visible()
    screenshot(page, "the-original")
    page.locator(".text-languages").get_by_role("link", name="français").click()
    assert heading.inner_text().startswith("Deux défenseurs")

    # She writes in French to the minister alone, by the desk's email.
    page.get_by_role("link", name="Écrire un appel").click()
    for box in page.locator('input[name="targets"]').all():
        box.set_checked(box.get_attribute("value") == str(minister.pk))
    page.locator('input[name="language"][value="fr"]').check()
    page.locator('button[value="restart"]').click()
    assert "Veuillez les libérer sans délai." in page.locator('textarea[name="body"]').input_value()
    page.locator('input[name="name"]').fill("Zoë Martin")
    page.locator('input[name="email"]').fill("zoe@example.org")
    screenshot(page, "compose")
    page.locator('button[value="preview"]').click()
    letter_text = page.locator(".letter-text").inner_text()
    assert letter_text.startswith("Madame la Ministre")  # the salutation translated for a French letter
    screenshot(page, "preview")
    page.locator('button[value="send"]').click()
    assert "/appeals/" in page.url

    def confirmations():
        return [m for m in mailbox.messages if m.envelope_recipients == ["zoe@example.org"]]

    wait_until(confirmations, message=f"no confirmation email: {mailbox.messages}")
    text = confirmations()[0].get_body(("plain",)).get_content()
    link = re.search(r"(?:https?://[^/\s]+)?(/\S*appeals/confirm/\S+)", text).group(1)
    page.goto(desk(link))
    page.locator("button.send").click()

    def letters():
        return [m for m in mailbox.messages if "minister@example.org" in m.envelope_recipients]

    wait_until(letters, message=f"no letter reached the minister: {mailbox.messages}")
    body = letters()[0].get_body(("plain",)).get_content()
    assert body.startswith("Madame la Ministre") and "Veuillez les libérer sans délai." in body
    assert "Zoë Martin" in body


def test_a_german_reader_is_told_the_case_is_in_english_and_opens_the_french(
    desk,
    browser_context,
    action,
    screenshot,
):
    french(action)
    page = browser_context(viewport=PHONE, locale="de-DE").new_page()
    page.goto(desk(f"/de/actions/{action.slug}/"))
    notice = page.locator(".notice.text-language").inner_text()
    assert "Englisch" in notice and "has not been translated" not in notice  # all of it in German
    assert page.locator("h1").get_attribute("lang") == "en"
    screenshot(page, "told-in-german")
    page.locator(".text-languages").get_by_role("link", name="français").click()
    assert page.locator("h1").inner_text().startswith("Deux défenseurs")
    assert page.locator(".summary").get_attribute("lang") == "fr"
    assert page.locator("html").get_attribute("lang") == "de"
    screenshot(page, "french-in-a-german-page")
