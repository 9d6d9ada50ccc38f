"""Staff import members from a CSV file: a report of every bad row (line and reason) and nothing imported
until they confirm; then the good rows at once, one member per person whatever the spelling, never one who
left; a welcome email and a confirmation for those without prior consent. Bad files are form errors."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import staff_login
from tests.network.member_fixtures import member_make, paths_in, theme_make
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.network import imports
from uadesk.network.models import Member, Suppression
from uadesk.staff.models import AuditEntry
from uadesk.supporters import crypto
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db
IMPORT = reverse("admin:network_member_import")
CHANGELIST = reverse("admin:network_member_changelist")
ORIGIN = "paper forms, letter-writing evening, November 2026"

CSV = """email,languages,channel,postal_address,postcode,cases_per_month,countries,themes,consent
ana@example.org,"fr, en",email,,,2,CN,death-penalty,no
ben@example.org,en;zh,post,"Ben Okafor
1 High Street
Leeds",LS1 1AA,,GB;cn,Death Penalty,yes
not an address,en,,,,,,,
cleo@example.org,xx,,,,,,,
dan@example.org,en,,,,,ZZ,,
eve@example.org,en,,,,,,torture,
ANA@example.org,en,,,,,,,
gone@example.org,en,,,,,,,
fay@example.org,en,post,,,,,,
gus@example.org,en,fax,,,0,,,maybe
Ada.Love.Lace@googlemail.com,de,,,,4,,,no
left@example.org,en,,,,,,,yes
"""
# Line by line, what is wrong (Ben's address takes lines 3 to 5).
BAD = [
    (6, "not an email address"),
    (7, "unknown language “xx”"),
    (8, "unknown country “ZZ”"),
    (9, "unknown theme “torture”"),
    (10, "the same address as line 2"),
    (11, "this address must not be mailed (it left the network, bounced or complained): never imported"),
    (12, "cases by post need a postal address"),
    (
        13,
        "unknown channel “fax”: email or post; cases per month must be a whole number from 1 to 99, or "
        "empty for every Urgent Action; consent must be yes or no",
    ),
    (15, "this member left the network: never imported again"),
]


@pytest.fixture
def desk():
    """The people the desk knows already: a member (another spelling in the file), one who left (their
    suppression deleted, as it could not be, to show the import checks both), one never to mail; the
    theme the file names."""
    theme_make()
    ada = member_make(
        "ada.lovelace@gmail.com", most_per_30_days=1, consent_origin="", consent_version="2026-12"
    )
    member_make("left@example.org", status=Member.Status.LEFT)
    Suppression.add(crypto.email_hash("gone@example.org"), Suppression.Reason.HARD_BOUNCE)
    return ada


def upload(client, text: str | bytes, *, name: str = "members.csv", origin: str = ORIGIN):
    data = text.encode() if isinstance(text, str) else text
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data, "text/csv"), "consent_origin": origin})


def key_of(report) -> str:
    html = report.content.decode()
    return html.split('name="key" value="')[1].split('"')[0]


def test_the_report_lists_every_bad_row_and_nothing_is_imported(staff_client, desk):
    report = upload(staff_client, CSV)
    assert report.status_code == 200
    html = report.content.decode()
    assert "3 rows can be imported." in html and "9 rows cannot be imported:" in html
    for line, reason in BAD:
        assert f"<tr><td>{line}</td><td>{reason}</td></tr>" in html.replace("&#x27;", "'"), line
    assert ORIGIN in html and "Import 3 members" in html
    assert "example.org" not in html  # the report names lines, not addresses
    # Nothing imported, nobody new known.
    assert Member.objects.count() == 2 and Supporter.objects.count() == 2
    assert not Message.objects.exists()


def test_confirming_imports_the_good_rows(staff_client, desk):
    theme = theme_make()
    done = staff_client.post(IMPORT, {"key": key_of(upload(staff_client, CSV))}, follow=True)
    assert done.status_code == 200
    assert (
        "2 members added and 1 updated: 2 members now, 1 waiting for their confirmation; 9 not imported. "
        "1 welcome email queued." in done.content.decode()
    )
    ana = Member.objects.get(supporter__email_hash=crypto.email_hash("ana@example.org"))
    assert (ana.status, ana.source, ana.consent_origin, ana.languages) == (
        "pending",
        "import",
        ORIGIN,
        "fr, en",
    )
    assert (ana.most_per_30_days, ana.countries, list(ana.themes.all())) == (2, "CN", [theme])
    assert ana.supporter.language == "fr"  # their emails in the first language the desk speaks
    ben = Member.objects.get(supporter__email_hash=crypto.email_hash("ben@example.org"))
    assert (ben.status, ben.consent_origin, ben.channel, ben.countries) == (
        "active",
        ORIGIN,
        "post",
        "GB, CN",
    )
    assert ben.confirmed_at is not None and ben.languages == "en, zh"
    assert ben.postal_address == "Ben Okafor\n1 High Street\nLeeds" and ben.postcode == "LS1 1AA"
    # The member already here, in another spelling: updated, not doubled, their consent as they gave it.
    desk.refresh_from_db()
    assert (desk.languages, desk.most_per_30_days, desk.status, desk.consent_origin) == (
        "de",
        4,
        "active",
        "",
    )
    assert Member.objects.count() == 4
    assert Member.objects.get(supporter__email_hash=crypto.email_hash("left@example.org")).status == "left"
    # One welcome, to the one waiting; nothing to those with prior consent.
    assert list(Message.objects.values_list("kind", "ref")) == [("member-welcome", ana.pk)]
    entry = AuditEntry.objects.get(code="uadesk.member.imported")
    assert entry.user.username == "editor" and entry.detail["origin"] == ORIGIN
    assert {k: entry.detail[k] for k in ("created", "updated", "pending", "bad_rows", "welcomed")} == {
        "created": 2, "updated": 1, "pending": 1, "bad_rows": 9, "welcomed": 1,
    }  # fmt: skip
    assert "example.org" not in str(entry.detail)


def test_the_welcome_email_leads_to_the_choices_and_the_button_that_confirms(staff_client, desk, smtp_server):
    mailbox, _ = smtp_server
    staff_client.post(IMPORT, {"key": key_of(upload(staff_client, CSV))})
    assert deliver_messages.call() == 1
    [email] = mailbox.wait_for(1)
    assert email.envelope_recipients == ["ana@example.org"]
    text = email.get_body(("plain",)).get_content()
    # In the member's first language, French, as every email to them.
    assert f"D'où nous tenons votre adresse\u00a0: {ORIGIN}" in text
    [choices] = paths_in(email, r"/network/member/[^/]+/$")
    [confirm] = paths_in(email, r"/network/member/[^/]+/confirm/$")
    assert choices.startswith("/fr/") and confirm.startswith("/fr/")
    visitor = Client()
    assert "Vous n'avez pas encore confirmé" in visitor.get(choices).content.decode()
    assert visitor.post(confirm).status_code == 200
    ana = Member.objects.get(supporter__email_hash=crypto.email_hash("ana@example.org"))
    assert ana.status == "active" and ana.consented_at is not None and ana.consent_text
    assert ana.consent_origin == ORIGIN


def test_importing_again_welcomes_no_one_twice_and_a_member_who_left_stays_left(staff_client, desk):
    for _ in range(2):
        staff_client.post(IMPORT, {"key": key_of(upload(staff_client, CSV))})
    assert Message.objects.count() == 1 and Member.objects.count() == 4
    # An address that leaves between the check and the confirmation is not imported.
    report = upload(staff_client, "email,languages\nnew@example.org,en\n")
    Suppression.add(crypto.email_hash("new@example.org"), Suppression.Reason.UNSUBSCRIBED)
    done = staff_client.post(IMPORT, {"key": key_of(report)}, follow=True)
    assert "1 not imported" in done.content.decode()
    assert Supporter.find("new@example.org") is None


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("email,languages\nana@example.org,fr\n".encode("utf-16"), "not UTF-8 text"),
        ("email,languages\nzoë@example.org,fr\n".encode("latin-1"), "not UTF-8 text"),
        (b"%PDF-1.7\n\x00\x01\x02", "This is not a CSV file"),
        (b"", "The submitted file is empty."),
        (b"name,town\nAna,Lyon\n", "The first line must name the columns"),
        (b"email,languages,phone\nana@example.org,fr,123\n", "Unknown column “phone”."),
        (b'email,languages\n"ana@example.org,fr\n', "cannot be read as CSV"),
    ],
    ids=["utf-16", "latin-1", "pdf", "empty", "no-columns", "unknown-column", "open-quote"],
)
def test_a_bad_file_is_a_form_error(staff_client, content, said):
    answer = upload(staff_client, content)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert said in html.replace("&#x27;", "'") and "can be imported" not in html
    assert not Member.objects.exists()


def test_a_file_too_big_is_a_form_error(staff_client, monkeypatch, settings):
    monkeypatch.setattr(imports, "IMPORT_MAX_BYTES", 100)
    answer = upload(staff_client, "email,languages\n" + "ana@example.org,fr\n" * 10)
    assert "The file is larger than 100" in answer.content.decode()
    settings.INGEST_MAX_BYTES = 50  # past the upload's own limit, the file is not even read
    answer = upload(staff_client, "email,languages\n" + "ana@example.org,fr\n" * 10)
    assert "The file is larger than 100" in answer.content.decode()


def test_a_semicolon_file_from_a_spreadsheet_with_a_bom_is_read(staff_client):
    report = upload(staff_client, "\ufeffEmail;Languages;Cases_per_month\nana@example.org;fr,en;1\n")
    assert "1 row can be imported." in report.content.decode()


def test_a_checked_file_is_confirmed_once_by_whoever_checked_it(staff_client, django_user_model):
    key = key_of(upload(staff_client, "email,languages\nana@example.org,fr\n"))
    other = django_user_model.objects.create_user("other", is_staff=True, is_superuser=True)
    refused = staff_login(Client(), other).post(IMPORT, {"key": key})
    assert "The checked file is no longer here" in refused.content.decode()
    assert staff_client.post(IMPORT, {"key": key}).status_code == 302
    again = staff_client.post(IMPORT, {"key": key})
    assert "The checked file is no longer here" in again.content.decode()
    assert Member.objects.count() == 1


@pytest.fixture
def as_role(django_user_model):
    def login(role: str):
        user = django_user_model.objects.create_user(f"{role.lower()}-user", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        return staff_login(Client(), user)

    return login


def test_campaign_staff_import_and_see_members_without_addresses(as_role):
    member_make("ada@example.org", most_per_30_days=2)
    editor = as_role("Editor")
    listing = editor.get(CHANGELIST)
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "example.org" not in html and f'href="{IMPORT}"' in html
    assert editor.get(IMPORT).status_code == 200
    assert editor.get(reverse("admin:actions_theme_add")).status_code == 200  # the theme list they keep
    assert editor.get(reverse("admin:network_suppression_changelist")).status_code == 200
    analyst = as_role("Analyst")
    assert analyst.get(IMPORT).status_code == 403 and analyst.get(CHANGELIST).status_code == 403
    assert as_role("Organisers").get(IMPORT).status_code == 403


def test_staff_find_a_member_by_exact_address_only_and_the_look_up_is_logged(staff_client):
    ada = member_make("Ada.Lovelace@gmail.com")
    member_make("bea@example.org")
    found = staff_client.get(CHANGELIST, {"q": "adalovelace@GMAIL.com"}).content.decode()
    assert f"member #{ada.pk}" in found and "1 member" in found
    assert f"member #{ada.pk}" not in staff_client.get(CHANGELIST, {"q": "gmail.com"}).content.decode()
    entry = AuditEntry.objects.filter(code="uadesk.member.searched").first()
    assert entry.detail == {"by": "email", "found": 1}
    page = staff_client.get(reverse("admin:network_member_change", args=[ada.pk])).content.decode()
    assert "gmail" not in page.lower()
    # Read only: members change their own choices; staff add them by import.
    assert staff_client.post(reverse("admin:network_member_change", args=[ada.pk]), {}).status_code == 403
    assert staff_client.get(reverse("admin:network_member_add")).status_code == 403


def test_the_import_reads_a_large_file_at_once(staff_client):
    rows = io.StringIO()
    rows.write("email,languages,countries,consent\n")
    for n in range(3000):
        rows.write(f"member{n}@example.org,en,CN,{'yes' if n % 2 else 'no'}\n")
    report = upload(staff_client, rows.getvalue())
    assert "3000 rows can be imported." in report.content.decode()
    staff_client.post(IMPORT, {"key": key_of(report)})
    assert Member.objects.filter(status="active").count() == 1500
    assert Message.objects.filter(kind="member-welcome").count() == 1500
