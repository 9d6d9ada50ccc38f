"""Campaign staff run the network in a browser, to the end: import members from a CSV (the bad row reported,
the good ones confirmed), the welcome email's links followed on a phone in the member's language, the case
mailed, and the print run for members by post downloaded and marked posted."""

import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.conftest import STAFF_PASSWORD, staff_sign_in, superuser_with_authenticator, wait_until
from uadesk.network.models import Mailing, Member, Recipient
from uadesk.supporters import crypto

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PHONE = {"width": 390, "height": 844}

# Lucía gave no prior consent: a welcome email, no case until she confirms. Pat did, by post. Line 6 is bad.
CSV = """email,languages,channel,postal_address,postcode,consent
lucia@example.org,es,email,,,no
pat@example.org,en,post,"Pat Doe
1 High Street
Leeds",LS1 1AA,yes
cleo@example.org,xx,,,,
"""


def member_of(email: str) -> Member:
    return Member.objects.get(supporter__email_hash=crypto.email_hash(email))


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", message.get_body(("plain",)).get_content())


def test_staff_import_members_who_confirm_on_a_phone_and_print_the_run_for_those_by_post(
    desk, desk_worker, browser_context, open_action, django_user_model, screenshot
):
    mailbox = desk_worker
    _, phone = superuser_with_authenticator(django_user_model, "sections")
    page = browser_context().new_page()
    staff_sign_in(page, desk, "sections", STAFF_PASSWORD, phone)

    # Import: the file checked first, the bad row named by its line, nothing imported before confirming.
    page.goto(desk("/staff/network/member/"))
    page.get_by_role("link", name="Import members (CSV)").click()
    upload = {"name": "members.csv", "mimeType": "text/csv", "buffer": CSV.encode()}
    page.set_input_files('input[name="file"]', upload)
    page.fill('input[name="consent_origin"]', "paper forms, letter-writing evening")
    page.get_by_role("button", name="Check the file").click()
    assert "2 rows can be imported." in page.locator(".import-good").inner_text()
    assert page.locator(".import-bad tbody tr").inner_text().split("\t") == ["6", "unknown language “xx”"]
    screenshot(page, "import-report")
    # The admin's own breadcrumbs bar, as every staff page has it (an old <div> of them showed unstyled).
    assert page.locator("nav ol.breadcrumbs li").all_inner_texts() == ["Home", "Members", "Import members"]
    assert not Member.objects.exists()
    page.get_by_role("button", name="Import 2 members").click()
    assert "2 members added" in page.locator(".messagelist").inner_text()
    assert (member_of("lucia@example.org").status, member_of("pat@example.org").status) == (
        "pending",
        "active",
    )

    # The welcome email, in Lucía's language: its links, each followed, on a phone.
    wait_until(lambda: len(mailbox.messages) == 1, message="no welcome email")
    [welcome] = mailbox.messages
    assert welcome["To"] == "lucia@example.org"
    choices = next(url for url in links_in(welcome) if re.search(r"/network/member/[^/]+/$", url))
    confirm = next(url for url in links_in(welcome) if url.endswith("/confirm/"))
    assert choices.startswith(f"{desk.url}/es/") and confirm.startswith(f"{desk.url}/es/")
    reader = browser_context(viewport=PHONE, locale="es").new_page()
    reader.goto(choices)
    assert reader.locator("html").get_attribute("lang") == "es"
    assert reader.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    screenshot(reader, "welcome-choices")
    reader.goto(confirm)
    with reader.expect_navigation():
        reader.locator('form[action*="/confirm/"] button[type="submit"]').click()
    screenshot(reader, "welcome-confirmed")
    assert member_of("lucia@example.org").status == "active"
    reader.goto(choices)  # her choices, now a member's: she takes at most two cases a month
    reader.check('input[name="cases"][value="2"]')
    with reader.expect_navigation():
        reader.locator('main form button[type="submit"]').first.click()
    assert member_of("lucia@example.org").most_per_30_days == 2

    # The case mailed from the mailing's page: Lucía by email, Pat in the print run.
    mailing = Mailing.objects.get(action=open_action, kind="new")
    page.goto(desk(f"/staff/network/mailing/{mailing.pk}/change/"))
    assert "Its audience today: 2 members." in page.locator(".mailing-desk").inner_text()
    page.get_by_role("button", name="Send now").click()
    wait_until(lambda: len(mailbox.messages) == 2, message="the case never reached the member by email")
    assert mailbox.messages[1]["To"] == "lucia@example.org"
    wait_until(lambda: Recipient.objects.filter(mailing=mailing, channel="post").exists())
    page.goto(desk(f"/staff/network/mailing/{mailing.pk}/change/"))
    page.get_by_role("link", name="Print run for the members by post").click()
    assert "1 member gets this mailing by post" in page.locator("#content").inner_text()
    screenshot(page, "print-run")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the print run (PDF)").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    first = pdf.pages[0].extract_text()
    assert "Pat Doe" in first and "LS1 1AA" in first
    assert any("Xi Jinping" in p.extract_text() for p in pdf.pages)
    with page.expect_download() as labels:
        page.get_by_role("button", name="Labels").click()
    assert "Pat Doe" in PdfReader(io.BytesIO(labels.value.path().read_bytes())).pages[0].extract_text()
    page.get_by_role("button", name="Mark posted").click()
    page.locator(".messagelist").wait_for()
    mailing.refresh_from_db()
    assert mailing.posted_count == 1
    assert "Nothing to print" in page.locator("#content").inner_text()
