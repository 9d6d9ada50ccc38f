"""Staff dashboards and exports: exact counts by aggregate queries, charts beside tables, no personal data."""

import csv
import datetime
import io
import uuid
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import at, staff_login
from uadesk.appeals.models import Appeal
from uadesk.reports.services import appeal_report

pytestmark = pytest.mark.django_db


def appeal(action, target, *, channel="email", status="sent", day=datetime.date(2022, 9, 2), **fields):
    created = datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
    item = Appeal.objects.create(
        submission=uuid.uuid4(), action=action, target=target, channel=channel, status=status,
        subject="s", body="b", supporter_name="Ada Lovelace", **fields,
    )  # fmt: skip
    Appeal.objects.filter(pk=item.pk).update(created_at=created)
    return item


@pytest.fixture
def appeals(seed_action):
    xi, ma = seed_action.targets.get(name="Xi Jinping"), seed_action.targets.get(name="Ma Xingrui")
    for _ in range(3):
        appeal(seed_action, xi, language="en", supporter_country="FR")
    appeal(seed_action, xi, channel="post", status="posted", language="zh", day=datetime.date(2022, 9, 5))
    appeal(seed_action, ma, channel="mailto", status="sent_by_supporter", supporter_country="DE")
    appeal(seed_action, ma, status="queued")
    appeal(seed_action, ma, status="failed", last_error="refused by the mail server: [550]")
    return seed_action


def test_the_report_counts_what_went_out_by_every_dimension(appeals):
    report = appeal_report(appeals)
    assert report.total == 5
    assert dict(report.by_target) == {"Xi Jinping": 4, "Ma Xingrui": 1}
    assert dict(report.by_country) == {"FR": 3, "DE": 1, "—": 1}
    assert dict(report.by_language) == {"en": 3, "zh": 1, "own": 1}
    assert sum(n for _, n in report.by_channel) == 5
    # Every day from the first to the last appears, empty ones as 0, so gaps in the chart are real.
    assert report.per_day == [
        (datetime.date(2022, 9, 2), 4), (datetime.date(2022, 9, 3), 0),
        (datetime.date(2022, 9, 4), 0), (datetime.date(2022, 9, 5), 1),
    ]  # fmt: skip
    assert dict(report.pending) == {"Queued": 1}
    assert dict(report.by_source) == {"online": 5}
    assert dict(report.failed) == {"refused by the mail server: [550]": 1}


def test_a_period_limits_the_counts(appeals):
    report = appeal_report(appeals, since=datetime.date(2022, 9, 3), until=datetime.date(2022, 9, 30))
    assert report.total == 1
    assert report.per_day[0] == (datetime.date(2022, 9, 3), 0)


def test_the_dashboard_shows_charts_with_their_tables_and_no_names(staff_client, appeals):
    with at(datetime.date(2022, 9, 10)):
        html = staff_client.get(reverse("reports:action", args=[appeals.slug])).content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert '<td>Xi Jinping</td><td class="n">4</td>' in html
    assert "Ada Lovelace" not in html
    overview = staff_client.get(reverse("reports:all")).content.decode()
    assert appeals.title in overview  # the overview has a by-action section


def test_a_wrong_period_is_a_form_error_not_a_crash(staff_client, appeals):
    url = reverse("reports:action", args=[appeals.slug])
    html = staff_client.get(url, {"since": "2022-09-30", "until": "2022-09-01"}).content.decode()
    assert "The start of the period is after its end." in html
    assert staff_client.get(url, {"since": "yesterday"}).status_code == 200
    export = reverse("reports:export", args=[appeals.slug, "csv"])
    assert staff_client.get(export, {"since": "yesterday"}).status_code == 400


def test_csv_and_xlsx_exports_carry_counts_per_day_target_and_channel(staff_client, appeals):
    response = staff_client.get(reverse("reports:export", args=[appeals.slug, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["day", "action", "target", "channel", "event", "appeals"]
    assert ["2022-09-02", appeals.slug, "Xi Jinping", "email", "", "3"] in rows
    assert sum(int(r[5]) for r in rows[1:]) == 5
    assert "Ada" not in response.content.decode()
    xlsx = staff_client.get(reverse("reports:export", args=[appeals.slug, "xlsx"])).content
    sheet = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/sharedStrings.xml").decode()
    assert "Xi Jinping" in sheet and "appeals" in sheet


def test_the_pdf_report_is_one_page_of_counts(staff_client, appeals):
    response = staff_client.get(reverse("reports:export", args=[appeals.slug, "pdf"]))
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Xi Jinping" in text and "Appeals sent" in text and "Ada" not in text


def test_only_staff_who_may_see_appeals_get_reports(client, django_user_model, appeals):
    url = reverse("reports:action", args=[appeals.slug])
    assert client.get(url).status_code == 302  # to the staff login
    clerk = django_user_model.objects.create_user("clerk", password="a long password here", is_staff=True)
    staff_login(client, clerk)
    assert client.get(url).status_code == 403
    assert client.get(reverse("reports:export_all", args=["csv"])).status_code == 403


def test_the_report_command_prints_the_counts(appeals, capsys):
    call_command("report", appeals.slug)
    out = capsys.readouterr().out
    assert "Appeals sent: 5" in out and "Xi Jinping" in out
    with pytest.raises(CommandError) as refused:
        call_command("report", "no-such-action")
    assert refused.value.returncode == 2
    with pytest.raises(CommandError):
        call_command("report", appeals.slug, "--since", "2022-13-01")


def test_the_dashboard_shows_each_petitions_progress(staff_client, appeals):
    from django.utils import timezone

    from uadesk.petitions.models import Petition, Signature
    from uadesk.supporters.models import Supporter

    petition = Petition.objects.create(action=appeals, slug="p", title="Free them", text="Free them.", goal=8)
    for n, confirmed in enumerate([True, True, False]):
        Signature.objects.create(
            petition=petition, supporter=Supporter.for_email(f"s{n}@example.org"), name=f"S{n}",
            name_key=f"s{n}", household_place=1, country="FR",
            confirmed_at=timezone.now() if confirmed else None,
        )  # fmt: skip
    assert appeal_report(appeals).petitions == [("Free them", 2, 8)]
    html = staff_client.get(reverse("reports:action", args=[appeals.slug])).content.decode()
    assert '<progress max="8" value="2">' in html
