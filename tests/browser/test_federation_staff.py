"""Staff link desks and share one in a browser, to the end: the office gives a section's desk access (the
token shown once, working at the feed, then revoked and refused there), reads the feedback report from
the reports' page to its CSV and PDF, in French on a phone; an administrator places an account in a
section, whose staff then see and export their own section's members only."""

import csv
import io
import json
import urllib.error
import urllib.request

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from tests.browser.conftest import STAFF_PASSWORD, staff_sign_in, superuser_with_authenticator
from tests.reports.feedback_fixtures import sections_report
from uadesk.actions.models import Section
from uadesk.federation import signing
from uadesk.federation.models import SectionAccess
from uadesk.network.models import Member
from uadesk.staff.models import AuditEntry
from uadesk.supporters.models import Supporter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


def feed_status(desk, token: str) -> int:
    """What the office's feed answers a section's desk holding this token."""
    request = urllib.request.Request(  # noqa: S310 (the test desk, on loopback)
        desk("/federation/feed"),
        headers={"Authorization": f"Bearer {token}", "Uadesk-Nonce": signing.new_nonce()},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            json.loads(answer.read())
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def downloaded(page, link_name: str) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).click()
    return download.value.path().read_bytes()


def test_the_office_gives_a_section_access_revokes_it_and_reads_the_feedback_report(
    desk, browser_context, open_action, django_user_model, screenshot
):
    sections_report(open_action)  # Deutsche Sektion and Section française: 106 and 22 appeals
    _, phone = superuser_with_authenticator(django_user_model, "office")
    page = browser_context().new_page()
    staff_sign_in(page, desk, "office", STAFF_PASSWORD, phone)

    # Access for the German section's desk: its key pasted, the token shown on this page only.
    section_key = signing.public_text(Ed25519PrivateKey.generate())
    page.goto(desk("/staff/federation/sectionaccess/"))
    page.get_by_role("link", name="Add section desk's access").click()
    page.get_by_label("Section:", exact=True).select_option(label="Deutsche Sektion")
    page.get_by_label("The section desk's key").fill(section_key)
    page.get_by_role("button", name="Save", exact=True).click()
    token = page.locator("#federation-token").inner_text()
    assert token.startswith("uadf_") and page.locator("#federation-desk-key").inner_text().startswith(
        "ed25519:"
    )
    screenshot(page, "access-created")
    assert SectionAccess.objects.get().desk_key == section_key
    assert feed_status(desk, token) == 200
    page.get_by_role("link", name="Back to the sections' access").click()
    assert token not in page.content()  # shown once: the list has its prefix only

    # Revoked from the list, as any bulk action; the feed refuses the token from then on.
    page.locator('input[name="_selected_action"]').first.check()
    page.locator('select[name="action"]').select_option("revoke")
    page.get_by_role("button", name="Run").click()
    assert "1 access revoked." in page.locator(".messagelist").inner_text()
    assert SectionAccess.objects.get().revoked_at is not None
    assert feed_status(desk, token) == 401

    # The feedback report, from the reports' page: each section's figures and the total.
    page.goto(desk("/staff/reports/"))
    page.get_by_role(
        "link", name="Feedback from sections: the totals of each Urgent Action they reported on"
    ).click()
    page.get_by_role("link", name=open_action.title).click()
    assert "Appeals in all: 128" in page.locator(".report-total").inner_text()
    rows = page.locator("#desks tbody tr").all_inner_texts()
    assert [row.split("\t")[0] for row in rows] == ["Deutsche Sektion", "Section française", "This desk"]
    assert page.locator("#desks tfoot th").inner_text() == "In all"
    screenshot(page, "feedback")
    table = list(csv.reader(io.StringIO(downloaded(page, "CSV").decode())))
    assert ["Deutsche Sektion", "de", "DE"] in [row[:3] for row in table]
    pdf = PdfReader(io.BytesIO(downloaded(page, "PDF")))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Section française" in text and "128" in text

    # The same page in French on a phone: translated (the countries too), and each table scrolls in its
    # own box rather than the page growing wider than the screen.
    # (Signed in already: the same session, on a browser that asks for French.)
    french = browser_context(viewport=PHONE, locale="fr")
    french.add_cookies(page.context.cookies())
    reader = french.new_page()
    reader.goto(page.url)
    assert reader.locator("html").get_attribute("lang") == "fr"
    assert "Appels au total" in reader.locator(".report-total").inner_text()
    assert "Allemagne (DE)" in reader.locator("#countries").inner_text()
    screenshot(reader, "feedback-fr-phone")
    assert reader.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_an_administrator_places_an_account_in_a_section_whose_staff_see_their_members_only(
    desk, browser_context, django_user_model, screenshot
):
    de = Section.objects.create(code="de", name="Deutsche Sektion", country="DE")
    fr = Section.objects.create(code="fr", name="Section française", country="FR")
    theirs = [
        Member.objects.create(supporter=Supporter.for_email(f"{name}@example.org"), section=section,
                              status=Member.Status.ACTIVE, languages="de")
        for name, section in [("anna", de), ("ben", de), ("claire", fr)]
    ]  # fmt: skip
    Member.objects.create(supporter=Supporter.for_email("office@example.org"), status=Member.Status.ACTIVE)
    _, office_phone = superuser_with_authenticator(django_user_model, "office")
    colleague, colleague_phone = superuser_with_authenticator(django_user_model, "berlin")

    page = browser_context().new_page()
    staff_sign_in(page, desk, "office", STAFF_PASSWORD, office_phone)
    page.goto(desk("/staff/auth/user/"))
    page.get_by_role("link", name="berlin", exact=True).click()
    page.locator('select[name="staff_section-0-section"]').select_option(label="Deutsche Sektion")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    colleague.refresh_from_db()
    assert colleague.staff_section.section == de

    # The section's staff member, on a phone: their members only, another section's not found.
    phone = browser_context(viewport=PHONE).new_page()
    staff_sign_in(phone, desk, "berlin", STAFF_PASSWORD, colleague_phone)
    phone.goto(desk("/staff/network/member/"))
    listed = phone.locator("#result_list tbody tr")
    assert listed.count() == 2
    screenshot(phone, "members-of-the-section")
    csv_rows = list(
        csv.DictReader(io.StringIO(downloaded(phone, "Export these members (CSV, no addresses)").decode()))
    )
    assert sorted(int(row["member"]) for row in csv_rows) == sorted(m.pk for m in theirs[:2])
    assert {row["section"] for row in csv_rows} == {"de"}
    assert not any("@" in value for row in csv_rows for value in row.values())
    answer = phone.goto(desk(f"/staff/network/member/{theirs[2].pk}/change/"))
    assert answer.status == 404
    seen = AuditEntry.objects.filter(
        actor="berlin", code__in=["uadesk.member.listed", "uadesk.member.exported"]
    )
    assert {entry.code for entry in seen} == {"uadesk.member.listed", "uadesk.member.exported"}
