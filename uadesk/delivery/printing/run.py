"""A print run: one PDF of many people's pages, each group opening with a page for a window envelope.

Like the rest of the print channel it knows no Django: the caller hands it plain dataclasses, with the
run's own words already in each reader's language. The case is given once per language (`RunCase`) and
each reader (`RunReader`) names theirs, so a run of thousands is one Typst document whose case pages are
laid out once per language, not once per reader. Each reader's pages are, in this order:

    1 first page: their address in the window, the case (running on to more pages if it is long)
    + the model letter to sign and post, on a page of its own
    + the officials' addresses, and the letter in the reader's language where it is another

Every group starts on a new page (on a new sheet when `duplex`), and its footer counts its own pages and
names its place in the run, so that whoever fills the envelopes sees where one reader's pages end. Those
counts come from setting one reader of each case alone first: a compile per language, not per reader.
"""

import datetime
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import pypdf

from uadesk.writing import text_direction

from . import _BLANK_LINE, Address, PrintError, _address_data, _clean, _language, _lines, _render
from .geometry import MM, PAPERS, WINDOWS
from .pack import qr_modules

# The run's own words in English; the caller passes them translated, per language. In the footer, the
# template fills in {number} of {total} (the reader's place in the run) and {page} of {pages} (theirs).
WORDS = {
    "deadline": "Deadline:",
    "who": "Who",
    "why": "Why",
    "ask": "What to ask",
    "write_to": "Write to",
    "salutation": "Salutation:",
    "online": "Online:",
    "acted": "Posted your letter? Scan this to tell us, so that we count it.",
    "footer": "{number} of {total} · page {page} of {pages}",
}
# The reader's address is set at the largest of these sizes that fits the window's address zone; DIN 5008
# asks for no less than 8 pt there.
ADDRESS_SIZES = [10, 9.5, 9, 8.5, 8]
# The return address sits in one line at the foot of its zone, as DIN 5008 has it (6 to 8 pt).
SENDER_SIZES = [7, 6.5, 6]
MARGINS = {"left": 25 * MM, "right": 20 * MM, "top": 18 * MM, "bottom": 20 * MM}  # DIN 5008's left is 25 mm


@dataclass(frozen=True)
class RunLetter:
    """A model letter in one language, under a heading that says what to do with it."""

    language: str  # BCP 47
    heading: str
    salutation: str
    body: str  # paragraphs separated by blank lines
    closing: str


@dataclass(frozen=True)
class RunTarget:
    address: Address
    role: str  # e.g. "Copy to"; empty for the officials written to
    salutation: str


@dataclass(frozen=True)
class RunCase:
    """The case as readers of one language get it: the run's words in their language, the case as the
    action tells it, the model letter to post and, where the reader reads another language, that one."""

    language: str  # BCP 47 of the words
    kind: str  # "New Urgent Action", "Update", …
    date: str  # the run's date as the reader's language writes it
    title: str
    reference: str
    deadline: str
    intro: str  # what to do, in a sentence or two
    summary: str
    individuals: list[str]
    asks: list[str]
    url: str
    letter: RunLetter | None  # the one to sign and post, in the officials' language; None: no letters asked
    translation: RunLetter | None  # the same letter in the reader's language, to read
    targets: list[RunTarget]  # those to post the letter to
    case_language: str = "und"  # BCP 47 of the case's own text; "und": read from the text
    words: dict[str, str] = field(default_factory=dict)  # overrides of WORDS


@dataclass(frozen=True)
class RunReader:
    """One person who gets the case by post: their name and address, one line each, and their case."""

    lines: list[str]
    case: str  # a key of PrintRun.cases
    language: str = "und"  # BCP 47 of their address, for its fonts and direction
    postcode: str = ""
    # Their own link to say the letter is posted, printed as a QR code beside the window; "" for none.
    acted_url: str = ""


@dataclass(frozen=True)
class PrintRun:
    paper: str  # "A4" (DIN 5008 form B, DL window) or "Letter" (#10 window)
    date: datetime.date  # the PDF's creation date
    organisation: str  # the heading of each first page
    sender: str  # the return address, on one line; empty for none
    cases: dict[str, RunCase]
    readers: Iterable[RunReader]
    duplex: bool = False  # each reader's pages start on a new sheet


def _one(text: str) -> str:
    return " ".join(_lines([text]))


def _paragraphs(text: str) -> list[list[str]]:
    blocks = [_lines([p]) for p in _BLANK_LINE.split(_clean(text).strip())]
    return [b for b in blocks if b]


def _letter(letter: RunLetter | None, what: str) -> dict | None:
    if letter is None:
        return None
    paragraphs = _paragraphs(letter.body)
    if not paragraphs:
        raise PrintError(f"{what} has no body")
    language = _language(letter.language, what)
    way = language.direction or text_direction(letter.body) or "ltr"
    return {
        "language": language.as_data(way),
        "heading": _one(letter.heading),
        "salutation": _one(letter.salutation),
        "paragraphs": paragraphs,
        "closing": _one(letter.closing),
    }


def _case(key: str, case: RunCase) -> dict:
    if case.letter is not None and not case.targets:
        raise PrintError(f"“{case.title}” has a letter to post and no official with a postal address")
    words = _language(case.language, f"the language of the run's words ({key})")
    case_language = _language(case.case_language or "und", f"the language of “{case.title}”")
    return {
        "pages": 0,  # each reader's pages, counted by run_pdf(); none before
        "language": words.as_data(),
        "words": WORDS | {k: str(v) for k, v in case.words.items() if k in WORDS},
        "kind": _one(case.kind),
        "date": _one(case.date),
        "case": {
            "language": case_language.as_data(
                case_language.direction or text_direction(f"{case.title}\n{case.summary}") or "ltr"
            ),
            "title": _one(case.title),
            "reference": _one(case.reference),
            "deadline": _one(case.deadline),
            "intro": _paragraphs(case.intro),
            "summary": _paragraphs(case.summary),
            "individuals": [_one(x) for x in case.individuals if _one(x)],
            "asks": [_one(x) for x in case.asks if _one(x)],
            "url": _one(case.url),
        },
        "letter": _letter(case.letter, f"the model letter of “{case.title}”"),
        "translation": _letter(case.translation, f"the translated letter of “{case.title}”"),
        "targets": [
            {
                "address": _address_data(t.address, f"the address of {t.address.name}"),
                "role": _one(t.role),
                "salutation": _one(t.salutation),
            }
            for t in case.targets
        ],
    }


def _reader(n: int, reader: RunReader, cases: dict) -> dict:
    lines = _lines(reader.lines)
    if not lines:
        raise PrintError(f"reader {n} has no address")
    if reader.case not in cases:
        raise PrintError(f"reader {n} is to get a case the run has not: “{reader.case}”")
    language = _language(reader.language or "und", f"the language of reader {n}")
    # An address runs the way its own letters do, whatever language the reader chose to read.
    way = text_direction("\n".join(lines)) or language.direction or "ltr"
    return {
        "lines": lines,
        "case": reader.case,
        "language": language.as_data(way),
        "postcode": _one(reader.postcode),
        "acted": {"qr": {"modules": qr_modules(reader.acted_url), "border": 4}} if reader.acted_url else None,
    }


def _pdf_pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def run_pdf(run: PrintRun, *, font_dir: str | os.PathLike | None = None) -> bytes:
    """The whole run as one PDF, readers in the order given; PrintError names what cannot be printed."""
    if run.paper not in WINDOWS:
        raise PrintError(f"unknown paper “{run.paper}”: use {' or '.join(WINDOWS)}")
    if not run.cases:
        raise PrintError("the run has no case")
    cases = {key: _case(key, case) for key, case in run.cases.items()}
    readers = [_reader(n, r, cases) for n, r in enumerate(run.readers, start=1)]
    if not readers:
        raise PrintError("the run has nobody to print for")
    paper, window = PAPERS[run.paper], WINDOWS[run.paper]
    data = {
        "paper": {"width": paper.width, "height": paper.height},
        "margins": MARGINS,
        "window": {
            "field": window.field,
            "address": window.address,
            "sender": window.sender,
            "folds": window.folds,
            "body_top": window.body_top,
        },
        "address_sizes": ADDRESS_SIZES,
        "sender_sizes": SENDER_SIZES,
        "organisation": _one(run.organisation),
        "sender": _one(run.sender),
        "duplex": bool(run.duplex),
        "cases": cases,
    }
    stamp = datetime.datetime(run.date.year, run.date.month, run.date.day, tzinfo=datetime.UTC)
    # Every reader of a case has as many pages as any other (their address sits in a zone of its own
    # size), so one reader's pages, set alone, count them all.
    used = {r["case"]: r for r in readers}
    for key, reader in used.items():
        probe = data | {"readers": [reader | {"start": 1}]}
        cases[key]["pages"] = _pdf_pages(_render("printrun", probe, font_dir, stamp))
    page = 1
    for reader in readers:
        if run.duplex and page % 2 == 0:
            page += 1  # Typst leaves a page blank so that this reader starts on a new sheet
        reader["start"] = page
        page += cases[reader["case"]]["pages"]
    return _render("printrun", data | {"readers": readers}, font_dir, stamp)


__all__ = ["ADDRESS_SIZES", "WORDS", "PrintRun", "RunCase", "RunLetter", "RunReader", "RunTarget", "run_pdf"]
