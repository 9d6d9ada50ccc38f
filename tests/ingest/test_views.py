"""Staff import a UA document in the browser, review the draft beside its source, correct it and publish."""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import at, staff_login
from uadesk.actions.models import Action

pytestmark = pytest.mark.django_db
SEED = Path(__file__).resolve().parents[2] / "uadesk" / "ingest" / "demo" / "xinjiang-2022.txt"
INGEST_URL = reverse("ingest")


class FormFields(HTMLParser):
    """The values a browser would submit from the page's main form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file", "button"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.data[a["name"]] = a.get("value") or ("on" if a.get("type") == "checkbox" else "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[self._textarea] = ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def upload(client, content: bytes, name="ua.txt"):
    return client.post(INGEST_URL, {"document": SimpleUploadedFile(name, content)})


def test_upload_makes_a_draft_shown_beside_its_source(staff_client):
    response = upload(staff_client, SEED.read_bytes())
    action = Action.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:actions_action_change", args=[action.pk])
    html = staff_client.get(response["Location"]).content.decode()
    assert "The document is now the draft below" in html
    assert 'class="ingest-source"' in html and "Source document" in html
    assert "TAKE ACTION: WRITE AN APPEAL IN YOUR OWN WORDS" in html  # the source text
    assert "新疆维吾尔自治区乌鲁木齐市830041天山区中山路479号" in html  # in the parsed draft's form
    assert 'name="_publish"' in html


def test_the_draft_tells_staff_of_a_placeholder_name_and_a_native_address_without_one(staff_client):
    response = upload(staff_client, SEED.read_bytes())
    action = Action.objects.get()
    assert [p.name for p in action.individuals.all()] == [""]  # not "[Group]"
    html = staff_client.get(response["Location"]).content.decode()
    warnings = html.split('class="ingest-warnings"', 1)[1].split("</ul>", 1)[0]
    assert "Individual 1: “[Group]” is a placeholder, not a name" in warnings
    assert (
        "Target Xi Jinping: the native-script address has no line with the addressee&#x27;s name" in warnings
    )


def test_the_same_document_twice_makes_no_duplicate(staff_client):
    upload(staff_client, SEED.read_bytes())
    response = upload(staff_client, SEED.read_bytes().replace(b"\n", b"\r\n"))
    assert Action.objects.count() == 1
    html = staff_client.get(response["Location"]).content.decode()
    assert "This document was imported before" in html


def test_pasted_text_works_too(staff_client):
    response = staff_client.post(INGEST_URL, {"text": SEED.read_text()})
    assert response.status_code == 302
    assert Action.objects.get().targets.count() == 4


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.txt", "empty"),
        (b"Pancakes. Mix flour, eggs and milk.", "recipe.txt", "Urgent Action"),
        (b"%PDF-1.7 garbage", "broken.pdf", "PDF"),
    ],
)
def test_bad_documents_get_a_message_on_the_form(staff_client, content, name, message):
    response = upload(staff_client, content, name)
    assert response.status_code == 200
    errors = [e for field_errors in response.context["form"].errors.values() for e in field_errors]
    assert len(errors) == 1 and message.lower() in errors[0].lower()
    assert not Action.objects.exists()


def test_a_file_past_the_limit_is_refused_unread(staff_client, settings):
    settings.INGEST_MAX_BYTES = 1000
    response = upload(staff_client, b"x" * 5000, "big.txt")
    assert response.status_code == 200
    assert "big.txt is larger than 1000" in response.content.decode()
    assert not Action.objects.exists()


def test_nothing_chosen_is_explained(staff_client):
    response = staff_client.post(INGEST_URL, {})
    assert "Choose a document or paste its text." in response.content.decode()


def test_staff_correct_a_field_and_publish(staff_client):
    upload(staff_client, SEED.read_bytes())
    action = Action.objects.get()
    change_url = reverse("admin:actions_action_change", args=[action.pk])
    with at(datetime.date(2022, 9, 1)):
        form = FormFields()
        form.feed(staff_client.get(change_url).content.decode())
        assert form.data["individuals-0-name"] == ""  # the NAME line holds a placeholder: staff name them
        data = form.data | {
            "title": "Free the Xinjiang detainees",
            "individuals-0-name": "The Xinjiang detainees",
            "_publish": "Save and publish",
        }
        response = staff_client.post(change_url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
        action.refresh_from_db()
        assert action.status == "published" and action.title == "Free the Xinjiang detainees"
        page = Client().get(action.get_absolute_url()).content.decode()
    assert "Free the Xinjiang detainees" in page and "北京市西城区西长安街街道 100017" in page
    people = re.search(r'<ul class="individuals">(.*?)</ul>', page, re.S).group(1)
    assert " ".join(re.sub(r"<[^>]+>", "", people).split()) == "The Xinjiang detainees (they/them) · Detained"


def test_publishing_a_draft_past_its_deadline_is_refused(staff_client):
    upload(staff_client, SEED.read_bytes())
    action = Action.objects.get()
    change_url = reverse("admin:actions_action_change", args=[action.pk])
    with at(datetime.date(2022, 10, 1)):
        form = FormFields()
        form.feed(staff_client.get(change_url).content.decode())
        response = staff_client.post(change_url, form.data | {"_publish": "Save and publish"})
    assert response.status_code == 200
    assert "The deadline 23 September 2022 has passed" in response.content.decode()
    action.refresh_from_db()
    assert action.status == "draft"


def test_supporters_and_outsiders_cannot_import(client, django_user_model):
    assert client.get(INGEST_URL).status_code == 302  # to the login page
    staff_login(client, django_user_model.objects.create_user("viewer", password="x" * 16, is_staff=True))
    assert client.post(INGEST_URL, {"text": SEED.read_text()}).status_code == 403
    assert not Action.objects.exists()
