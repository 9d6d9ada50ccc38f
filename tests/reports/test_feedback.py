"""The feedback report of a UA on the office desk: every section's last report and this desk's own counts,
per desk and in all, by section country, channel and official, as a page, a CSV and a PDF."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from tests.conftest import staff_login
from tests.reports.feedback_fixtures import (
    DE,
    DE_COUNTED,
    EMBASSY_DE,
    EMBASSY_FR,
    FR,
    FR_COUNTED,
    MEMBER_EMAIL,
    OWN,
    TOTAL,
    WRITER,
    Tables,
    own_counts,
    report_send,
    section_report,
    sections_report,
    targets,
)
from uadesk.actions.models import Action, Section
from uadesk.reports.feedback import feedback

pytestmark = pytest.mark.django_db

NO_SECTION_YET = "No section has reported on this action yet: the figures are this desk's own."


@pytest.fixture
def reported(seed_action):
    sections_report(seed_action)
    own_counts(seed_action)
    return seed_action


def figures(desk_or_total) -> dict:
    f = getattr(desk_or_total, "figures", desk_or_total)
    return {"on_desk": +f.on_desk, "off_desk": +f.off_desk, "signatures": f.signatures,
            "members_mailed": f.members_mailed}  # fmt: skip


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_each_sections_last_report_and_this_desks_own_counts_add_up_in_all(reported):
    report = feedback(reported)
    first, second = targets(reported)
    de, fr = report.sections
    assert (de.name, de.section_code, de.country, de.counted_at, de.final) == (
        "Deutsche Sektion", "de", "DE", DE_COUNTED, False,
    )  # fmt: skip
    assert (fr.name, fr.country, fr.counted_at, fr.final) == ("Section française", "FR", FR_COUNTED, True)
    assert (figures(de), figures(fr), figures(report.this_desk), figures(report.total)) == (
        DE,
        FR,
        OWN,
        TOTAL,
    )
    assert (report.total.on_desk_total, report.total.off_desk_total, report.total.appeals) == (115, 21, 136)
    # This desk is counted as the report is made, and the seed UA is closed here.
    assert report.this_desk.is_this_desk and report.this_desk.counted_at is None and report.this_desk.final
    by_country = [
        (c.code, c.name, c.desks, c.figures.appeals, c.figures.signatures) for c in report.by_country
    ]
    assert by_country == [
        ("DE", "Germany", ["Deutsche Sektion"], 106, 340),
        ("FR", "France", ["Section française"], 22, 40),
        ("", "This desk", ["This desk"], 8, 2),
    ]  # fmt: skip
    assert [(c.channel, c.on_desk, c.off_desk, c.appeals) for c in report.by_channel] == [
        ("email", 98, 5, 103), ("mailto", 8, 0, 8), ("fax", 5, 2, 7), ("post", 4, 14, 18),
    ]  # fmt: skip
    # The same official whoever wrote to them (the sections by the id the feed gave, this desk directly);
    # one a section named by name apart; members' "I have acted" name none.
    assert [(o.target_id, o.name, o.on_desk, o.off_desk) for o in report.by_official] == [
        (first.pk, first.name, 80 + 7 + 3 + 3 + 1, 0), (None, EMBASSY_DE, 9, 0),
        (second.pk, second.name, 6, 0), (None, EMBASSY_FR, 6, 0), (None, "", 0, 21),
    ]  # fmt: skip
    assert report.by_official[0].title == first.title
    assert sum(o.appeals for o in report.by_official) == sum(c.appeals for c in report.by_channel) == 136


def test_the_report_takes_the_same_queries_however_many_sections_reported(reported):
    with CaptureQueriesContext(connection) as two:
        feedback(reported)
    first, _second = targets(reported)
    for code, name in [("it", "Sezione italiana"), ("es", "Sección española")]:
        section = Section.objects.create(code=code, name=name, country=code.upper())
        section_report(
            reported, section, DE_COUNTED, lines=[("email", True, first, "", 1), ("post", False, None, "", 1)]
        )
    with CaptureQueriesContext(connection) as four:
        report = feedback(reported)
    assert len(report.sections) == 4 and report.total.appeals == 140
    assert len(four) == len(two) <= 10


def test_the_page_shows_every_figure_and_no_writer(staff_client, reported):
    html = staff_client.get(reverse("reports:feedback", args=[reported.slug])).content.decode()
    tables = Tables(html).tables
    desks = tables["desks"]
    assert desks[0] == ["", "On its desk", "Off its desk (“I have acted”)", ""]
    assert desks[1] == [
        "Desk", "Country", "Email", "Email (own mail app)", "Fax", "Post", "All",
        "Email", "Fax", "Post", "All", "Appeals", "Signatures", "Members mailed", "Counted at", "Final",
    ]  # fmt: skip
    assert desks[2:] == [
        ["Deutsche Sektion", "DE", "89", "0", "5", "0", "94", "0", "0", "12", "12", "106", "340", "1200",
         local(DE_COUNTED), "no"],
        ["Section française", "FR", "6", "7", "0", "3", "16", "4", "2", "0", "6", "22", "40", "500",
         local(FR_COUNTED), "yes"],
        ["This desk", "", "3", "1", "0", "1", "5", "1", "0", "2", "3", "8", "2", "3", "now", "yes"],
        ["In all", "", "98", "8", "5", "4", "115", "5", "2", "14", "21", "136", "382", "1703", "", ""],
    ]  # fmt: skip
    assert tables["countries"][1:] == [
        ["Germany (DE)", "Deutsche Sektion", "94", "12", "106", "340", "1200"],
        ["France (FR)", "Section française", "16", "6", "22", "40", "500"],
        ["This desk", "This desk", "5", "3", "8", "2", "3"],
    ]
    assert tables["channels"][1:] == [
        ["Email", "98", "5", "103"], ["Email (own mail app)", "8", "0", "8"],
        ["Fax", "5", "2", "7"], ["Post", "4", "14", "18"],
    ]  # fmt: skip
    first, second = targets(reported)
    assert tables["officials"][1:] == [
        [first.name, first.title, "94", "0", "94"], [EMBASSY_DE, "", "9", "0", "9"],
        [second.name, second.title, "6", "0", "6"], [EMBASSY_FR, "", "6", "0", "6"],
        ["No official named", "", "0", "21", "21"],
    ]  # fmt: skip
    assert '<p class="report-total">Appeals in all: <strong>136</strong></p>' in html
    assert "Sections reported: <strong>2 (1 final)</strong>" in html
    assert escape(NO_SECTION_YET) not in html
    page = html[html.index('<div class="report">') :]
    # The Content-Security-Policy refuses inline style; the layout is the reports' stylesheet.
    assert " style=" not in page and "/static/reports/dashboard.css" in html
    assert WRITER not in html and MEMBER_EMAIL not in html and "Signer" not in html
    assert reverse("reports:feedback_export", args=[reported.slug, "csv"]) in page
    assert reverse("reports:feedback_export", args=[reported.slug, "pdf"]) in page


def csv_tables(text: str) -> dict[str, list[list[str]]]:
    """The CSV's tables by their names: each one a name, its header, its rows, a blank line before it."""
    rows = list(csv.reader(io.StringIO(text)))
    found, name = {"": [rows[0]]}, ""
    for previous, row in zip(rows, rows[1:], strict=False):
        if not row:
            continue
        if not previous:
            name = row[0]
            found[name] = []
        else:
            found[name].append(row)
    return found


def test_the_csv_carries_the_same_figures(staff_client, reported):
    response = staff_client.get(reverse("reports:feedback_export", args=[reported.slug, "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="uadesk-feedback-{reported.slug}.csv"' in response["Content-Disposition"]
    text = response.content.decode()
    tables = csv_tables(text)
    assert tables[""] == [["feedback", reported.slug, reported.ua_number, reported.title]]
    desks = tables["desks"]
    assert desks[0] == [
        "desk", "section", "country", "on_desk_email", "on_desk_mailto", "on_desk_fax", "on_desk_post",
        "on_desk", "off_desk_email", "off_desk_fax", "off_desk_post", "off_desk", "appeals", "signatures",
        "members_mailed", "counted_at", "final",
    ]  # fmt: skip
    de_at, fr_at = (timezone.localtime(t).isoformat(timespec="minutes") for t in (DE_COUNTED, FR_COUNTED))
    assert desks[1:] == [
        ["Deutsche Sektion", "de", "DE", "89", "0", "5", "0", "94", "0", "0", "12", "12", "106", "340",
         "1200", de_at, "no"],
        ["Section française", "fr", "FR", "6", "7", "0", "3", "16", "4", "2", "0", "6", "22", "40", "500",
         fr_at, "yes"],
        ["This desk", "", "", "3", "1", "0", "1", "5", "1", "0", "2", "3", "8", "2", "3", "", "yes"],
        ["In all", "", "", "98", "8", "5", "4", "115", "5", "2", "14", "21", "136", "382", "1703", "", ""],
    ]  # fmt: skip
    assert tables["countries"] == [
        ["country", "name", "desks", "on_desk", "off_desk", "appeals", "signatures", "members_mailed"],
        ["DE", "Germany", "Deutsche Sektion", "94", "12", "106", "340", "1200"],
        ["FR", "France", "Section française", "16", "6", "22", "40", "500"],
        ["", "This desk", "This desk", "5", "3", "8", "2", "3"],
    ]
    assert tables["channels"] == [
        ["channel", "name", "on_desk", "off_desk", "appeals"],
        ["email", "Email", "98", "5", "103"],
        ["mailto", "Email (own mail app)", "8", "0", "8"],
        ["fax", "Fax", "5", "2", "7"], ["post", "Post", "4", "14", "18"],
    ]  # fmt: skip
    first, second = targets(reported)
    assert tables["officials"] == [
        ["target_id", "official", "title", "on_desk", "off_desk", "appeals"],
        [str(first.pk), first.name, first.title, "94", "0", "94"], ["", EMBASSY_DE, "", "9", "0", "9"],
        [str(second.pk), second.name, second.title, "6", "0", "6"], ["", EMBASSY_FR, "", "6", "0", "6"],
        ["", "No official named", "", "0", "21", "21"],
    ]  # fmt: skip
    assert WRITER not in text and MEMBER_EMAIL not in text


def test_a_name_that_would_start_a_formula_stays_text_in_the_csv(staff_client, reported):
    # A section's desk names its own officials: another organisation's text, never a spreadsheet formula.
    section_report(reported, Section.objects.create(code="xx", name="=HYPERLINK(1)", country="IT"),
                   DE_COUNTED, lines=[("email", True, None, "@SUM(A1)", 1)])  # fmt: skip
    text = staff_client.get(reverse("reports:feedback_export", args=[reported.slug, "csv"])).content.decode()
    assert "'=HYPERLINK(1)" in text and "'@SUM(A1)" in text
    assert ",=" not in text and ",@" not in text


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_pdf_carries_the_same_figures(staff_client, reported):
    response = staff_client.get(reverse("reports:feedback_export", args=[reported.slug, "pdf"]))
    lines = pdf_text(response).splitlines()
    for line in [
        "Appeals in all: 136 On a desk: 115 Off a desk: 21 Signatures: 382 Members mailed: 1,703 "
        "Sections reported: 2 (1 final)",
        f"Deutsche Sektion DE 89 0 5 0 94 0 0 12 12 106 340 1,200 {local(DE_COUNTED)} no",
        f"Section française FR 6 7 0 3 16 4 2 0 6 22 40 500 {local(FR_COUNTED)} yes",
        "This desk 3 1 0 1 5 1 0 2 3 8 2 3 now yes",
        "In all 98 8 5 4 115 5 2 14 21 136 382 1,703",
        "Germany (DE) 94 12 106 340 1,200",
        "France (FR) 16 6 22 40 500",
        "This desk 5 3 8 2 3",
        "Email 98 5 103",
        "Email (own mail app) 8 0 8",
        "Fax 5 2 7",
        "Post 4 14 18",
    ]:
        assert line in lines, line
    first, _second = targets(reported)
    text = " ".join(" ".join(lines).split())
    for official in [
        f"{first.name} {first.title} 94 0 94",
        f"{EMBASSY_DE} 9 0 9",
        "No official named 0 21 21",
    ]:
        assert official in text, official
    assert NO_SECTION_YET not in text and WRITER not in text and MEMBER_EMAIL not in text


def test_a_name_in_any_script_is_set_in_a_font_that_has_it(staff_client, reported):
    section = Section.objects.create(code="ma", name="فرع المغرب", country="MA")
    section_report(reported, section, DE_COUNTED, lines=[("post", False, None, "", 3)])
    response = staff_client.get(reverse("reports:feedback_export", args=[reported.slug, "pdf"]))
    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()
    }
    # The Arabic section's name and the French section's Chinese official: each from its Noto face,
    # not boxes for missing glyphs in the Latin one.
    assert any("NotoSansArabic" in f for f in fonts), fonts
    assert any("NotoSansCJK" in f for f in fonts), fonts


def test_a_replaced_report_shows_its_new_figures_never_the_sum(client, staff_client, reported):
    first, _second = targets(reported)
    answer = report_send(
        client, Section.objects.get(code="de"), reported, members_mailed=1300, signatures=350, final=True,
        counts=[{"channel": "email", "on_desk": True, "target_id": first.pk, "official": "", "count": 100},
                {"channel": "post", "on_desk": False, "target_id": None, "official": "", "count": 1}],
    )  # fmt: skip
    assert answer.status_code == 200, answer.content
    report = feedback(reported)
    de = report.sections[0]
    assert figures(de) == {"on_desk": {"email": 100}, "off_desk": {"post": 1}, "signatures": 350,
                           "members_mailed": 1300}  # fmt: skip
    assert de.final and report.final_sections == 2
    assert report.total.appeals == 101 + 22 + 8
    # The embassy only the earlier report named is gone with it.
    assert EMBASSY_DE not in [o.name for o in report.by_official]
    html = staff_client.get(reverse("reports:feedback", args=[reported.slug])).content.decode()
    row = Tables(html).tables["desks"][2]
    assert row[:14] == [
        "Deutsche Sektion", "DE", "100", "0", "0", "0", "100", "0", "0", "1", "1", "101", "350", "1300",
    ]  # fmt: skip
    assert Tables(html).tables["desks"][-1][11:14] == ["131", "392", "1803"]


def test_an_action_no_section_reported_on_shows_this_desks_counts(staff_client, seed_action):
    own_counts(seed_action)
    html = staff_client.get(reverse("reports:feedback", args=[seed_action.slug])).content.decode()
    assert escape(NO_SECTION_YET) in html
    assert Tables(html).tables["desks"][2:] == [
        ["This desk", "", "3", "1", "0", "1", "5", "1", "0", "2", "3", "8", "2", "3", "now", "yes"],
        ["In all", "", "3", "1", "0", "1", "5", "1", "0", "2", "3", "8", "2", "3", "", ""],
    ]
    assert Tables(html).tables["countries"][1:] == [["This desk", "This desk", "5", "3", "8", "2", "3"]]
    csv_text = staff_client.get(reverse("reports:feedback_export", args=[seed_action.slug, "csv"])).content
    assert [row[0] for row in csv_tables(csv_text.decode())["desks"][1:]] == ["This desk", "In all"]
    pdf = pdf_text(staff_client.get(reverse("reports:feedback_export", args=[seed_action.slug, "pdf"])))
    assert NO_SECTION_YET in " ".join(pdf.split()) and "Sections reported: 0 (0 final)" in pdf
    # Nothing from the sections: the list of UAs with feedback has none.
    listing = staff_client.get(reverse("reports:feedback_list")).content.decode()
    assert seed_action.title not in listing and "No section has reported on any action yet." in listing


def test_an_action_with_nothing_at_all_has_a_report_of_noughts(staff_client, seed_action):
    html = staff_client.get(reverse("reports:feedback", args=[seed_action.slug])).content.decode()
    assert Tables(html).tables["desks"][-1] == ["In all", "", *["0"] * 12, "", ""]
    assert "officials" not in Tables(html).tables and "None yet." in html


def test_the_list_shows_each_ua_sections_reported_on_with_its_totals(staff_client, reported):
    other = Action.objects.create(slug="other-ua", title="Another UA", summary="s", ua_number="UA 12/22")
    section_report(other, Section.objects.get(code="fr"), FR_COUNTED, signatures=5, members_mailed=50,
                   final=True, lines=[("email", True, None, "Embassy of X", 10)])  # fmt: skip
    Action.objects.create(slug="quiet-ua", title="A UA nobody reported on", summary="s")
    # The latest report first.
    reported.section_reports.update(received_at=DE_COUNTED)
    html = staff_client.get(reverse("reports:feedback_list")).content.decode()
    rows = Tables(html).tables["feedback"]
    received = local(other.section_reports.get().received_at)
    assert rows[1:] == [
        ["Another UA", "UA 12/22", "1", "1", "10", "0", "10", "5", "50", received],
        [reported.title, "", "2", "1", "128", "8", "136", "382", "1703", local(DE_COUNTED)],
    ]
    assert "A UA nobody reported on" not in html
    assert reverse("reports:feedback", args=[reported.slug]) in html
    assert reverse("reports:feedback", args=["other-ua"]) in html


def test_the_dashboards_lead_to_the_feedback(staff_client, reported):
    overview = staff_client.get(reverse("reports:all")).content.decode()
    assert f'href="{reverse("reports:feedback_list")}"' in overview
    dashboard = staff_client.get(reverse("reports:action", args=[reported.slug])).content.decode()
    assert f'href="{reverse("reports:feedback", args=[reported.slug])}"' in dashboard


def test_only_staff_who_may_see_reports_get_the_feedback(client, django_user_model, reported):
    urls = [
        reverse("reports:feedback_list"),
        reverse("reports:feedback", args=[reported.slug]),
        reverse("reports:feedback_export", args=[reported.slug, "csv"]),
        reverse("reports:feedback_export", args=[reported.slug, "pdf"]),
    ]
    assert [client.get(url).status_code for url in urls] == [302] * 4  # to the staff login
    clerk = django_user_model.objects.create_user("clerk", password="a long password here", is_staff=True)
    staff_login(client, clerk)
    assert [client.get(url).status_code for url in urls] == [403] * 4
    analyst = django_user_model.objects.create_user("analyst", password="a long password here", is_staff=True)
    analyst.user_permissions.add(Permission.objects.get(codename="view_reports"))
    staff_login(client, analyst)
    assert [client.get(url).status_code for url in urls] == [200] * 4


def test_an_unknown_action_is_not_found(staff_client):
    assert staff_client.get(reverse("reports:feedback", args=["no-such-ua"])).status_code == 404
    assert staff_client.get(reverse("reports:feedback_export", args=["no-such-ua", "csv"])).status_code == 404
