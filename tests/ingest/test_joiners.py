"""A Persian address keeps its zero-width non-joiners (U+200C, "اژه‌ای": the word's parts written apart
but one word) from the imported document to the draft, the public page and the Typst data of the
printed letter and envelope: without them the words join into other spellings."""

import datetime
import json
import threading

import pytest
from django.test import Client
from django.urls import reverse

from tests.appeals.test_channels import write
from tests.conftest import at
from tests.ingest.test_views import INGEST_URL, FormFields
from uadesk.actions.models import Action
from uadesk.appeals.models import Appeal
from uadesk.delivery.printing import engine

pytestmark = pytest.mark.django_db
ZWNJ = "\u200c"
NAME = "غلامحسین محسنی اژه\u200cای"
STREET = "تهران، خیابان پاستور، نهاد ریاست\u200cجمهوری"
UA = f"""URGENT ACTION

PROTESTER AT RISK OF EXECUTION
A young protester was sentenced to death after an unfair trial.

TAKE ACTION: WRITE AN APPEAL IN YOUR OWN WORDS OR USE THIS MODEL LETTER

Head of Judiciary
Gholamhossein Mohseni Ejei
c/o Embassy of Iran to the European Union
Avenue Franklin Roosevelt No. 15, 1050 Brussels, Belgium
Email: info@example.ir
In Persian:
{NAME}
{STREET}
Salutation: Your Excellency

Dear Head of the Judiciary,

I am alarmed that the young protester was sentenced to death.

I urge you to:
• Quash the death sentence;
• Release him immediately.

Yours sincerely,

PREFERRED LANGUAGE TO ADDRESS TARGET: Persian, English

PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: 23 September 2022

NAME AND PREFERRED PRONOUN: Reza Rasaei (he/him)
"""


class TypstInputs:
    """Stands in for the Typst compiler: keeps the JSON data each document is set from."""

    def __init__(self):
        self.data: list[dict] = []

    def compile(self, *, sys_inputs, **kwargs):
        self.data.append(json.loads(sys_inputs["data"]))
        return b"%PDF-1.7"


def test_the_non_joiner_stays_from_the_document_to_the_envelope(staff_client, monkeypatch):
    review = staff_client.post(INGEST_URL, {"text": UA})
    target = Action.objects.get().targets.get()
    assert target.native_address_lines == [NAME, STREET]  # the draft

    # Staff publish it unchanged through the review form, as they do.
    with at(datetime.date(2022, 9, 1)):
        form = FormFields()
        form.feed(staff_client.get(review["Location"]).content.decode())
        published = staff_client.post(review["Location"], form.data | {"_publish": "Save and publish"})
        assert published.status_code == 302, published.content.decode()[:3000]
        target.refresh_from_db()
        assert target.native_address_lines == [NAME, STREET]
        action = target.action
        page = Client().get(action.get_absolute_url()).content.decode()
    assert NAME in page and STREET in page  # the public page

    # A supporter writes by post: their letter's envelope is set from the address with its non-joiners.
    supporter = Client()
    key, response = write(supporter, action, [target], {target: "post"}, channel="post", country="FR")
    assert response.status_code == 302 and Appeal.objects.get().channel == "post"
    typst = TypstInputs()
    monkeypatch.setattr(engine, "_compiler", lambda fonts: (typst, threading.Lock()))
    url = reverse("appeals:letter_pdf", kwargs={"slug": action.slug, "key": key, "target_id": target.pk})
    with at(datetime.date(2022, 9, 1)):
        assert supporter.get(url, {"envelope": "DL"}).content == b"%PDF-1.7"
    [letter] = typst.data
    assert letter["envelope"] is not None
    assert letter["recipient"]["native_lines"] == [NAME, STREET]
    assert letter["recipient"]["native"]["lang"] == "fa"
