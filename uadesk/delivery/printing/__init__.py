"""The print channel: a letter and an address in, print-ready PDF out (letter, envelope, label sheets).

It knows nothing of appeals or Django: callers hand it plain dataclasses. Typst sets the pages
with the Noto fonts from `font_dir` (argument, else $UADESK_FONT_DIR, else <project>/data/fonts,
filled by scripts/install-fonts), shaping every script with rustybuzz and embedding subset fonts.
The words of supporters and targets travel to Typst as JSON data, so markup in them stays text.
"""

import datetime
import os
import re
from dataclasses import dataclass

from uadesk.writing import paragraph_direction, text_direction

from . import engine
from .geometry import ENVELOPES, PAPERS, SHEETS, LabelSheet

__all__ = [
    "ENVELOPES", "PAPERS", "SHEETS", "Address", "LabelSheet", "PrintError", "PrintLetter",
    "labels_pdf", "letter_pdf",
]  # fmt: skip


class PrintError(ValueError):
    """A letter, address or option the print channel cannot print; the message says which, in one line."""


@dataclass(frozen=True)
class Address:
    """Who a letter goes to, or who sends it."""

    name: str
    lines: list[str]  # Latin-script postal lines (organisation, street, city, country)
    native_lines: list[str] = ()  # the same address in the country's own script
    native_language: str | None = None  # BCP 47, e.g. "zh", "ar", "fa", "ru", "he", "hi", "th"


@dataclass(frozen=True)
class PrintLetter:
    recipient: Address
    sender_lines: list[str]  # the supporter's name and town (may be short: name + town only)
    date: datetime.date
    salutation: str
    body: str  # paragraphs separated by blank lines; any script, any direction
    closing: str
    signature: str  # the supporter's name
    language: str  # BCP 47 of the letter body (sets direction and fonts)
    # The sender's block left empty, its lines' space kept, for the writer to fill in by hand (a writer at
    # risk); `sender_lines` are then not printed, on the letter or on its envelope.
    sender_blank: bool = False


# A blank sender's block keeps room for a name, a street, a town and a country.
SENDER_BLANK_LINES = 4


# Control characters other than line breaks have no place on paper, and Typst would show them as boxes.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")

_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}


def _clean(value: str) -> str:
    return _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))


def _lines(values: list[str] | tuple[str, ...]) -> list[str]:
    # One string per printed line: a value holding a line break becomes two lines, blanks go.
    return [line.strip() for value in values for line in _clean(value).split("\n") if line.strip()]


def _one_line(value: str) -> list[str]:
    # A salutation, closing or signature is set on one line, whatever line breaks it held.
    line = " ".join(_lines([value]))
    return [line] if line else []


def _language(tag: str | None, what: str) -> engine.Language:
    try:
        return engine.Language(tag or "")
    except ValueError as error:
        raise PrintError(f"{what}: {error}") from None


def date_text(date: datetime.date, language: engine.Language) -> str:
    """The date as a letter in that language writes it; ISO 8601 where we know no better."""
    if language.lang in {"zh", "yue", "ja"}:
        return f"{date.year}年{date.month}月{date.day}日"
    if language.lang == "ko":
        return f"{date.year}년 {date.month}월 {date.day}일"
    months = _MONTHS.get(language.lang)
    if not months:
        return date.isoformat()
    month = months.split()[date.month - 1]
    if language.lang == "en" and language.region == "us":
        return f"{month} {date.day}, {date.year}"
    if language.lang in {"es", "pt"}:
        return f"{date.day} de {month} de {date.year}"
    return f"{date.day}{'.' if language.lang == 'de' else ''} {month} {date.year}"


def _address_data(address: Address, what: str) -> dict:
    if not isinstance(address, Address):
        raise PrintError(f"{what} must be an Address, not {type(address).__name__}")
    name = " ".join(_lines([address.name]))
    lines = _lines(address.lines)
    native_lines = _lines(address.native_lines)
    if not name and not lines:
        raise PrintError(f"{what} has neither a name nor an address line")
    native = _language(address.native_language or "und", f"{what}'s native_language")
    native_data = native.as_data(native.direction or text_direction(" ".join(native_lines)) or "ltr")
    # The Latin lines may still hold a name in Han characters: take the forms of the target's region.
    latin_data = {"lang": "en", "region": None, "fonts": ["Noto Sans", *engine.SCRIPT_FAMILIES, native.cjk]}
    return {"name": name, "lines": lines, "native_lines": native_lines, "native": native_data,
            "latin": latin_data}  # fmt: skip


def letter_pdf(
    letter: PrintLetter,
    *,
    paper: str = "A4",
    envelope: str | None = "DL",
    font_dir: str | os.PathLike | None = None,
) -> bytes:
    """The letter on `paper` ("A4" or "Letter"), then a "DL" or "C5" envelope or a "label" page, or none."""
    if paper not in PAPERS:
        raise PrintError(f"unknown paper “{paper}”: use {' or '.join(PAPERS)}")
    if envelope is not None and envelope not in ENVELOPES:
        raise PrintError(f"unknown envelope “{envelope}”: use {', '.join(ENVELOPES)} or None")
    if not isinstance(letter, PrintLetter):
        raise PrintError(f"letter_pdf prints a PrintLetter, not {type(letter).__name__}")
    if not isinstance(letter.date, datetime.date):
        raise PrintError("the letter's date must be a datetime.date")
    language = _language(letter.language, "the letter's language")
    paragraphs = [_lines([p]) for p in _BLANK_LINE.split(_clean(letter.body).strip())]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        raise PrintError("the letter has no body")
    # The letter runs its language's way; in a language not known ("und": the supporter's own), the
    # way its body's first letters run. Each paragraph runs the letter's way unless it has no letter
    # that does: the UA's English salutation in an Arabic letter keeps its comma on its right.
    way = language.direction or text_direction(letter.body) or "ltr"

    def paragraph(lines: list[str]) -> dict:
        return {"lines": lines, "dir": paragraph_direction(" ".join(lines), way)}

    recipient = _address_data(letter.recipient, "the recipient")
    sender_lines = [] if letter.sender_blank else _lines(letter.sender_lines)
    if not sender_lines and not letter.sender_blank:
        raise PrintError("the letter has no sender: give at least the supporter's name and town")
    e = ENVELOPES.get(envelope) if envelope else None
    data = {
        "paper": PAPERS[paper].typst,
        "recipient": recipient,
        "letter": {
            "language": language.as_data(way),
            "sender_lines": sender_lines,
            "sender_blank_lines": SENDER_BLANK_LINES if letter.sender_blank else 0,
            "date": date_text(letter.date, language),
            "salutation": paragraph(_one_line(letter.salutation)),
            "paragraphs": [paragraph(p) for p in paragraphs],
            "closing": paragraph(_one_line(letter.closing)),
            "signature": paragraph(_one_line(letter.signature)),
        },
        "envelope": None
        if e is None
        else {
            "width": e.width,
            "height": e.height,
            "sender": e.sender,
            "sender_size": e.sender_size,
            "recipient": e.recipient,
            "recipient_sizes": e.recipient_sizes,
        },
    }
    # The letter's own date as the PDF's creation date: the same letter gives the same bytes on a retry.
    stamp = datetime.datetime(letter.date.year, letter.date.month, letter.date.day, tzinfo=datetime.UTC)
    return _render("letter", data, font_dir, stamp)


def labels_pdf(
    addresses: list[Address],
    *,
    sheet: str = "A4-21",
    outlines: bool = False,
    font_dir: str | os.PathLike | None = None,
) -> bytes:
    """Sheets of address labels, one address a label in the target's own script; `outlines` draws the
    labels' edges, for a test print on plain paper held against the label sheet."""
    if sheet not in SHEETS:
        raise PrintError(f"unknown label sheet “{sheet}”: use {', '.join(SHEETS)}")
    if not addresses:
        raise PrintError("there are no addresses to print on labels")
    s = SHEETS[sheet]
    geometry = {k: getattr(s, k) for k in ("page_width", "page_height", "columns", "rows", "label_width",
                                          "label_height", "left", "top", "pitch_x", "pitch_y", "padding_x",
                                          "padding_y", "per_sheet")}  # fmt: skip
    data = {
        "sheet": geometry,
        "addresses": [_address_data(a, f"address {i + 1}") for i, a in enumerate(addresses)],
        "fonts": engine.Language("en").fonts,
        "outlines": bool(outlines),
        # Small labels hold 5 to 7 lines: the Letter-30 label is one inch high.
        "sizes": [10, 9, 8, 7.5, 7, 6.5, 6, 5.5, 5],
    }
    return _render("labels", data, font_dir, None)


def _render(template: str, data: dict, font_dir: str | os.PathLike | None, stamp) -> bytes:
    try:
        return engine.render(template, data, fonts=engine.font_dir(font_dir), timestamp=stamp)
    except engine.EngineError as error:
        raise PrintError(str(error).replace("\n", " ")) from error
