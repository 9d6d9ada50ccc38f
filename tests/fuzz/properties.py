"""The properties the hypothesis tests and the atheris targets both check, so the two cannot drift apart."""

import io
import re
from html.parser import HTMLParser

import pypdf

from uadesk.appeals.letters import letter_html
from uadesk.delivery.printing import PrintError, PrintLetter, letter_pdf
from uadesk.ingest.errors import NotAnUrgentAction
from uadesk.ingest.parser import UADocument, parse

# What would make a PDF act when opened, rather than show words: none of these may appear in ours.
PDF_ACTIONS = re.compile(rb"/(JavaScript|JS|OpenAction|AA|Launch|URI|SubmitForm|EmbeddedFile)\b")


class Reader(HTMLParser):
    """The tags, attributes and text of an HTML fragment or page, as a browser's tokenizer sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def read_html(html: str) -> Reader:
    reader = Reader()
    reader.feed(html)
    reader.close()
    return reader


def no_space(text: str) -> str:
    return "".join(text.split())


def check_parse(text: str) -> None:
    """A UADocument, or NotAnUrgentAction with one line to show; any other exception fails."""
    try:
        doc = parse(text)
    except NotAnUrgentAction as error:
        assert "\n" not in str(error) and str(error)
        return
    assert isinstance(doc, UADocument)
    doc.to_dict()


def check_letter_html(text: str) -> None:
    """Only the <p> and <br> letter_html adds, no attribute, and every character typed back as text."""
    html = letter_html(text)
    rest = re.sub(r"</?p>|<br>", "", html)
    assert "<" not in rest and ">" not in rest
    reader = read_html(html)
    assert set(reader.tags) <= {"p", "br"} and reader.attrs == []
    assert no_space("".join(reader.text)) == no_space(text.replace("\r", "\n"))


def check_letter_pdf(letter: PrintLetter, envelope: str | None = "DL") -> bytes | None:
    """A PDF that does nothing but show, or PrintError with one line; None when refused."""
    try:
        pdf = letter_pdf(letter, envelope=envelope)
    except PrintError as error:
        assert "\n" not in str(error)
        return None
    assert pdf.startswith(b"%PDF-")
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 1
    assert not PDF_ACTIONS.search(pdf)
    return pdf
