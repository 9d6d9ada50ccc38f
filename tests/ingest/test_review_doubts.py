"""Staff review an imported draft with each of the import's doubts beside the field it is about (issue 18),
and the draft knows the document's language."""

from html.parser import HTMLParser

import pytest

from tests.ingest.test_views import INGEST_URL, SEED, FormFields
from uadesk.actions.models import Action
from uadesk.ingest import services
from uadesk.ingest.parser import parse

pytestmark = pytest.mark.django_db

# Two officials, the second without a salutation; nobody named; no deadline.
UA = """URGENT ACTION

TWO JOURNALISTS DETAINED
Two journalists were detained for their reporting.

TAKE ACTION: WRITE AN APPEAL IN YOUR OWN WORDS OR USE THIS MODEL LETTER

Minister of Justice
Ana Pereira
Ministry of Justice, 1 Main Street
Lisbon 1000-001, Portugal
Email: minister@example.pt
Salutation: Dear Minister

Prosecutor General
Rui Costa
Office of the Prosecutor General, 2 Side Street
Lisbon 1000-002, Portugal
Email: prosecutor@example.pt

Dear Minister,

I am concerned that the two journalists were detained for their reporting.

I urge you to:
• Release them immediately;
• Drop all charges.

Yours sincerely,

PREFERRED LANGUAGE TO ADDRESS TARGET: Portuguese, English
"""
NO_SALUTATION = "Target Rui Costa: no salutation found."
NO_DEADLINE = "No deadline found (PLEASE TAKE ACTION ... UNTIL)."
NO_INDIVIDUALS = "No individuals found (no NAME AND PREFERRED PRONOUN line)."


class Element:
    def __init__(self, tag: str, attrs: dict, parent: "Element | None"):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()

    def find(self, **wanted) -> "Element":
        """The first element below with these attributes; class_ names one of its classes."""
        cls = wanted.pop("class_", None)
        return next(
            e
            for e in self.walk()
            if (cls is None or cls in e.classes) and all(e.attrs.get(k) == v for k, v in wanted.items())
        )

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join("".join(parts).split())

    def following_sibling(self) -> "Element":
        siblings = [c for c in self.parent.children if isinstance(c, Element)]
        return siblings[siblings.index(self) + 1]


class Tree(HTMLParser):
    """The page as a tree of elements, enough to tell which row a piece of text is in."""

    VOID = {"input", "img", "br", "hr", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}

    def __init__(self, html: str):
        super().__init__()
        self.root = self.current = Element("#root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in self.VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node.parent and node.tag != tag:
            node = node.parent
        if node.parent:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def review_page(client, text: str = UA) -> Element:
    response = client.post(INGEST_URL, {"text": text})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Tree(client.get(response["Location"]).content.decode()).root


def form_row(page: Element, field: str) -> Element:
    return page.find(class_=f"field-{field}")


def assert_described_by_its_doubt(row: Element, input_name: str, doubt: str) -> None:
    """The doubt is in the field's row, and the input names it for screen readers."""
    box = next(e for e in row.walk() if "ingest-doubt" in e.classes and doubt in e.text())
    assert box.text() == f"Check: {doubt}"
    control = next(e for e in row.walk() if e.attrs.get("name") == input_name)
    assert box.attrs["id"] in control.attrs["aria-describedby"].split()


def test_a_doubt_of_the_action_sits_under_its_field(staff_client):
    page = review_page(staff_client)
    row = form_row(page, "deadline")
    assert NO_DEADLINE in row.text()
    assert_described_by_its_doubt(row, "deadline", NO_DEADLINE)
    assert NO_DEADLINE not in form_row(page, "title").text()


def test_a_doubt_of_the_second_target_sits_in_that_targets_row(staff_client):
    page = review_page(staff_client)
    first, second = page.find(id="targets-0"), page.find(id="targets-1")
    assert first.find(name="targets-0-name").attrs["value"] == "Ana Pereira"
    assert second.find(name="targets-1-name").attrs["value"] == "Rui Costa"
    assert_described_by_its_doubt(form_row(second, "salutation"), "targets-1-salutation", NO_SALUTATION)
    assert NO_SALUTATION not in first.text()


def test_a_doubt_of_a_whole_list_sits_at_the_top_of_its_group(staff_client):
    page = review_page(staff_client)
    group = page.find(id="individuals-group")
    above = page.find(id="individuals-doubts")
    assert above.following_sibling() is group
    assert above.text() == f"Check: {NO_INDIVIDUALS}"


def test_the_aside_keeps_every_doubt_in_order(staff_client):
    page = review_page(staff_client)
    aside = page.find(class_="ingest-warnings")
    items = [li.text() for li in aside.walk() if li.tag == "li"]
    assert items == [NO_INDIVIDUALS, NO_SALUTATION, NO_DEADLINE]


def test_an_individuals_doubt_sits_in_its_table_row(staff_client):
    """The seed names a placeholder, "[Group]": the individuals' inline is a table."""
    page = review_page(staff_client, SEED.read_text(encoding="utf-8"))
    row = page.find(id="individuals-0")
    assert row.tag == "tr"
    doubt = (
        "Individual 1: “[Group]” is a placeholder, not a name; the name is left empty: fill in the "
        "person's or the group's name."
    )
    assert_described_by_its_doubt(row.find(class_="field-name"), "individuals-0-name", doubt)
    assert doubt not in row.find(class_="field-pronoun").text()


def test_doubts_of_the_document_and_of_a_path_not_known_go_to_the_top_of_the_form(staff_client, monkeypatch):
    def parse_with_more(text):
        doc = parse(text)
        doc.warn("document", "The text is cut off after the letter.")
        doc.warn("targets.1.office_hours", "Target Rui Costa: office hours unclear.")
        doc.warn("model_letter.closing", "The closing is in another language.")
        return doc

    monkeypatch.setattr(services, "parse", parse_with_more)
    page = review_page(staff_client)
    assert page.find(id="document-doubts").text() == "Check: The text is cut off after the letter."
    # A field the review page does not know: the top of the list it belongs to, never lost.
    assert "Target Rui Costa: office hours unclear." in page.find(id="targets-doubts").text()
    letter = page.find(id="letters-0")
    assert_described_by_its_doubt(
        form_row(letter, "closing"), "letters-0-closing", "The closing is in another language."
    )


def test_a_doubt_stays_once_its_field_is_corrected(staff_client):
    """The page cannot tell a correction from a look that found the field right: the doubt stays, the
    source beside it settles both."""
    response = staff_client.post(INGEST_URL, {"text": UA})
    url = response["Location"]
    form = FormFields()
    form.feed(staff_client.get(url).content.decode())
    saved = staff_client.post(url, form.data | {"targets-1-salutation": "Dear Prosecutor General"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert Action.objects.get().targets.get(position=1).salutation == "Dear Prosecutor General"
    page = Tree(staff_client.get(url).content.decode()).root
    assert NO_SALUTATION in form_row(page.find(id="targets-1"), "salutation").text()


def test_the_draft_records_the_documents_language_and_its_letter_takes_it(staff_client, monkeypatch):
    def parse_in_portuguese(text):
        doc = parse(text)
        doc.language = "pt"
        return doc

    monkeypatch.setattr(services, "parse", parse_in_portuguese)
    review = staff_client.post(INGEST_URL, {"text": UA})
    action = Action.objects.get()
    assert action.source_language == "pt"
    # The letter's own words are English: the document's language wins when the parser knows it.
    assert action.letters.get().language == "pt"
    page = Tree(staff_client.get(review["Location"]).content.decode()).root
    row = form_row(page, "source_language_name")
    assert "Portuguese (pt)" in row.text()
    assert not any(e.tag in {"input", "select", "textarea"} for e in row.walk())  # read-only


def test_the_review_shows_the_language_the_parser_read(staff_client):
    review = staff_client.post(INGEST_URL, {"text": UA})
    action = Action.objects.get()
    assert action.source_language == "en"
    assert action.letters.get().language == "en"
    page = Tree(staff_client.get(review["Location"]).content.decode()).root
    assert "English (en)" in form_row(page, "source_language_name").text()


def test_a_document_of_no_known_language_leaves_it_blank_and_reads_the_letter(staff_client):
    # Too few words of any language to tell which the page is in; the letter's language is read from it.
    text = (
        "URGENT ACTION\n\nUA 7/26\n\nTAKE ACTION\n\nMinister\nAna Pereira\nMinistry, 1 Main Street\n"
        "Lisbon, Portugal\n\nDear Minister,\n\nRelease Rui Costa now.\n\nYours sincerely,"
    )
    review = staff_client.post(INGEST_URL, {"text": text})
    action = Action.objects.get()
    assert action.source_language == ""
    assert action.letters.get().language == "en"
    page = Tree(staff_client.get(review["Location"]).content.decode()).root
    assert "Not known" in form_row(page, "source_language_name").text()
