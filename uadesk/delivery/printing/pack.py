"""A letter-writing event's pack in one PDF: case sheets, model letters, letter paper, labels, tally sheet.

Like the rest of the print channel it knows no Django: the caller hands it plain dataclasses, with the
pack's own words (headings, advice) already in the organiser's language. Pages are counted here, so the
page count is known before Typst sets a thing:

    1 cover
    + per action: 1 case sheet + 1 page per model letter (a letter longer than a page at 8 pt runs on)
    + 1 page of letter paper per official (the organiser prints a copy per writer)
    + ceil(writers x officials / labels per sheet) label sheets
    + ceil(officials / tally rows per page) tally pages
"""

import datetime
import math
import os
import unicodedata
from dataclasses import dataclass, field

import segno

from uadesk.writing import text_direction

from . import _BLANK_LINE, Address, PrintError, _address_data, _clean, _language, _lines, _render, date_text
from .geometry import MM, PAPERS, SHEETS

# The pack's own words in English; the caller passes them translated. {first}/{last} are page numbers.
WORDS = {
    "cover_columns": ["Part", "Pages", "How to print it"],
    "page": "page {first}",
    "pages": "pages {first}–{last}",
    "actions_heading": "Actions in this pack",
    "left_out": "Left out, because they are no longer open:",
    "deadline": "Deadline:",
    "scan": "Scan to act online",
    "who": "Who",
    "why": "Why",
    "ask": "What to ask",
    "write_to": "Write to",
    "notes": "Posting advice",
    "tally_title": "Tally sheet",
    "tally_help": "Tick a box for each letter written to the official, then write the total.",
    "total": "Total",
}
# Label text sizes, largest first: small labels hold 5 to 7 lines (the Letter-30 label is one inch high).
LABEL_SIZES = [10, 9, 8, 7.5, 7, 6.5, 6, 5.5, 5]
# Letter paper, from the top of the page's text area: room for the writer's own name and address,
# then the official's address, the date, the salutation, and ruled lines to write on.
PAPER = {"address_top": 32 * MM, "address_height": 48 * MM, "rule_pitch": 9 * MM}
# Tally rows: the official's name, then boxes of `TALLY_BOX` in lines of `TALLY_PER_LINE`. Beyond
# `TALLY_MAX_BOXES` letters a row would outgrow the page: the total box still takes any number.
TALLY_BOX = 5.5 * MM
TALLY_PER_LINE = 25
TALLY_MAX_BOXES = 100
TALLY_TITLE = 20 * MM
# A row's label, the official and the action's title, wraps: its first line takes `TALLY_LABEL`, each
# further line `TALLY_LABEL_LINE` (a 10.5 pt line and its leading).
TALLY_LABEL = 6 * MM
TALLY_LABEL_LINE = 5 * MM
TALLY_NAME_SIZE = 10.5  # points, bold
TALLY_ACTION_SIZE = 8.5
MARGINS = {"margin_x": 20 * MM, "margin_top": 18 * MM, "margin_bottom": 18 * MM}


@dataclass(frozen=True)
class PackLetter:
    """A model letter in one language."""

    language: str  # BCP 47
    heading: str  # e.g. "Model letter · English"
    salutation: str
    body: str  # paragraphs separated by blank lines
    closing: str


@dataclass(frozen=True)
class PackTarget:
    """An official to write to, with the address for the letter paper and the labels."""

    address: Address
    salutation: str
    tally: str  # how the case sheet and the tally sheet name them, e.g. "Xi Jinping, President of China"


@dataclass(frozen=True)
class PackAction:
    title: str
    reference: str  # e.g. "UA 93/22 · ASA 17/5991/2022"; may be empty
    deadline: str  # as the organiser reads it, already formatted
    url: str  # the online action, absolute: it becomes the QR code
    summary: str
    individuals: list[str]
    asks: list[str]
    letters: list[PackLetter]
    targets: list[PackTarget]
    notes: list[str] = ()  # posting advice from the UA
    language: str = "und"  # BCP 47 of the case (title, summary, asks, officials); "und": read from the text


@dataclass(frozen=True)
class PackPart:
    """One line of the cover's table: a part of the pack and how to print it."""

    key: str  # "cases", "paper", "labels" or "tally"
    title: str
    advice: str


@dataclass(frozen=True)
class Pack:
    title: str
    subtitle: str  # date and place
    date: datetime.date  # set on the letter paper, and the PDF's creation date
    writers: int  # expected writers: a label per writer and official, a tally box per writer
    sheet: str  # a name in SHEETS; the pack's paper is the sheet's (A4 or US Letter)
    actions: list[PackAction]
    parts: list[PackPart]
    language: str = "en"  # of the pack's own words
    letter_language: str = "en"  # of the date on the letter paper
    cover_lines: list[str] = ()
    left_out: list[str] = ()  # actions of the event that are closed now, named on the cover
    words: dict[str, object] = field(default_factory=dict)  # overrides of WORDS


def qr_modules(url: str) -> list[str]:
    """The QR code of `url` as rows of "1" (dark) and "0", without the quiet zone: a full QR code,
    never a Micro QR, which phone cameras do not all read; level M survives a smudged copy."""
    code = segno.make_qr(url, error="m", boost_error=False)
    return ["".join("1" if cell else "0" for cell in row) for row in code.matrix]


def paper_for(sheet: str) -> str:
    """The pack is printed on the paper its label sheets are: US Letter for Letter sheets, else A4."""
    s = SHEETS[sheet]
    return "Letter" if abs(s.page_width - PAPERS["Letter"].width) < 1 else "A4"


def tally_rows_per_page(sheet: str, writers: int) -> int:
    """Tally rows on a page when every row's label takes one line."""
    return _tally_geometry(sheet, writers)["per_page"]


def _tally_geometry(sheet: str, writers: int) -> dict:
    paper = PAPERS[paper_for(sheet)]
    boxes = min(max(writers, 1), TALLY_MAX_BOXES)
    lines = math.ceil(boxes / TALLY_PER_LINE)
    below_label = 1.5 * MM + lines * TALLY_BOX + 6 * MM
    # 4 mm kept free, so that rounding never pushes the last row onto a page of its own.
    room = paper.height - MARGINS["margin_top"] - MARGINS["margin_bottom"] - TALLY_TITLE - 4 * MM
    return {
        "boxes": boxes,
        "below_label": below_label,
        "room": room,
        "width": paper.width - 2 * MARGINS["margin_x"],
        "per_page": max(1, int(room // (TALLY_LABEL + below_label))),
    }


def _text_width(text: str, size: float, *, bold: bool = False) -> float:
    """A guess, on the wide side, at the width of `text` in Noto Sans at `size` points (its lower-case
    letters average about half an em, its capitals two thirds; Han characters take a whole em)."""
    width = 0.0
    for character in text:
        if unicodedata.category(character) in ("Mn", "Me", "Cf"):
            continue
        if unicodedata.east_asian_width(character) in ("W", "F"):
            width += 1.0
        elif character.isspace():
            width += 0.26
        elif character.isupper():
            width += 0.68
        else:
            width += 0.56
    return width * size * (1.05 if bold else 1.0)


def tally_label_lines(target: str, action: str, width: float) -> int:
    """The lines a tally row's label takes, the official in bold then "· the action", wrapped to
    `width` points: Python must know before Typst sets the page how many rows each page holds. The
    count leaves each line a tenth for the word that does not fit; should the label still not fit,
    Typst sets it smaller rather than hide a word."""
    text = _text_width(target, TALLY_NAME_SIZE, bold=True) + _text_width(f" · {action}", TALLY_ACTION_SIZE)
    return max(1, math.ceil(text / (0.9 * width)))


def _tally_pages(targets: list[tuple[str, str]], sheet: str, writers: int) -> list[list[dict]]:
    """The tally's rows, (official, action title) each, page by page, each row as tall as its label."""
    g = _tally_geometry(sheet, writers)
    pages, page, used = [], [], 0.0
    for target, action in targets:
        lines = tally_label_lines(target, action, g["width"])
        label = TALLY_LABEL + (lines - 1) * TALLY_LABEL_LINE
        row = {"target": target, "action": action, "label_height": label, "height": label + g["below_label"]}
        if page and used + row["height"] > g["room"]:
            pages.append(page)
            page, used = [], 0.0
        page.append(row)
        used += row["height"]
    return [*pages, page] if page else pages


def _tally_targets(pack: Pack) -> list[tuple[str, str]]:
    return [(_one(t.tally), _one(a.title)) for a in pack.actions for t in a.targets]


def page_count(pack: Pack) -> dict[str, int]:
    """Pages of each part, as the pack will have them (model letters of more than a page aside)."""
    targets = sum(len(a.targets) for a in pack.actions)
    return {
        "cover": 1,
        "cases": sum(1 + len(a.letters) for a in pack.actions),
        "paper": targets,
        "labels": math.ceil(pack.writers * targets / SHEETS[pack.sheet].per_sheet),
        "tally": len(_tally_pages(_tally_targets(pack), pack.sheet, pack.writers)),
    }


def _paragraphs(text: str) -> list[list[str]]:
    blocks = [_lines([p]) for p in _BLANK_LINE.split(_clean(text).strip())]
    return [b for b in blocks if b]


def _one(text: str) -> str:
    return " ".join(_lines([text]))


def _case_language(action: PackAction) -> dict:
    """The case's language for Typst: the action's text runs its way in a pack of another language."""
    language = _language(action.language or "und", f"the language of “{action.title}”")
    return language.as_data(
        language.direction or text_direction(f"{action.title}\n{action.summary}") or "ltr"
    )


def pack_pdf(pack: Pack, *, font_dir: str | os.PathLike | None = None) -> bytes:
    """The whole pack as one PDF; PrintError names what cannot be printed."""
    if pack.sheet not in SHEETS:
        raise PrintError(f"unknown label sheet “{pack.sheet}”: use {', '.join(SHEETS)}")
    if not pack.actions:
        raise PrintError("the pack has no action")
    if pack.writers < 1:
        raise PrintError("the pack needs at least one writer")
    for action in pack.actions:
        if not action.targets:
            raise PrintError(f"“{action.title}” has no official with a postal address")
        if not action.url.startswith(("https://", "http://")):
            raise PrintError(f"the address of “{action.title}” must be absolute, not “{action.url}”")
    s = SHEETS[pack.sheet]
    paper = PAPERS[paper_for(pack.sheet)]
    language = _language(pack.language, "the pack's language")
    letter_language = _language(pack.letter_language, "the letter paper's language")

    # Every official once, in pack order: letter paper, labels and tally rows all follow it.
    targets, addresses = [], []
    for action in pack.actions:
        for t in action.targets:
            data = _address_data(t.address, f"the address of {t.tally}")
            addresses.append(data)
            targets.append({"address": data, "salutation": _one(t.salutation), "tally": _one(t.tally),
                            "action": _one(action.title), "language": _case_language(action)})  # fmt: skip
    # A label per writer and official, official after official, sheet after sheet.
    sequence = [i for i in range(len(addresses)) for _ in range(pack.writers)]
    sheets = [sequence[k : k + s.per_sheet] for k in range(0, len(sequence), s.per_sheet)]

    tally = _tally_geometry(pack.sheet, pack.writers)
    tally_pages = _tally_pages(_tally_targets(pack), pack.sheet, pack.writers)
    languages = iter([t["language"] for t in targets])
    for row in (row for page in tally_pages for row in page):
        row["language"] = next(languages)

    text_height = paper.height - MARGINS["margin_top"] - MARGINS["margin_bottom"]
    salutation_top = PAPER["address_top"] + PAPER["address_height"] + 12 * MM
    first_rule = salutation_top + 6 * MM + PAPER["rule_pitch"]
    rules = [
        first_rule + k * PAPER["rule_pitch"]
        for k in range(int((text_height - first_rule) // PAPER["rule_pitch"]) + 1)
    ]

    data = {
        "page": {"width": paper.width, "height": paper.height, **MARGINS},
        "sheet": {
            k: getattr(s, k)
            for k in (
                "page_width",
                "page_height",
                "columns",
                "rows",
                "label_width",
                "label_height",
                "left",
                "top",
                "pitch_x",
                "pitch_y",
                "padding_x",
                "padding_y",
                "per_sheet",
            )
        },  # fmt: skip
        "language": language.as_data(),
        "words": WORDS | {k: v for k, v in pack.words.items() if k in WORDS},
        "title": _one(pack.title),
        "subtitle": _one(pack.subtitle),
        "cover_lines": [_one(x) for x in pack.cover_lines],
        "parts": [{"key": p.key, "title": _one(p.title), "advice": _one(p.advice)} for p in pack.parts],
        "left_out": [_one(x) for x in pack.left_out],
        "actions": [
            {
                "language": _case_language(a),
                "title": _one(a.title),
                "reference": _one(a.reference),
                "deadline": _one(a.deadline),
                "url": a.url,
                "qr": {"modules": qr_modules(a.url), "border": 4},
                "summary": _paragraphs(a.summary),
                "individuals": [_one(x) for x in a.individuals if _one(x)],
                "asks": [_one(x) for x in a.asks if _one(x)],
                "notes": [_one(x) for x in a.notes if _one(x)],
                "targets": [{"tally": _one(t.tally)} for t in a.targets],
                "letters": [
                    {
                        "language": _language(m.language, f"the model letter of “{a.title}”").as_data(),
                        "heading": _one(m.heading),
                        "salutation": _one(m.salutation),
                        "paragraphs": _paragraphs(m.body),
                        "closing": _one(m.closing),
                    }
                    for m in a.letters
                ],
            }
            for a in pack.actions
        ],
        "letter_date": date_text(pack.date, letter_language),
        "targets": targets,
        "paper": {
            "address_top": PAPER["address_top"],
            "address_height": PAPER["address_height"],
            "date_top": PAPER["address_top"] + PAPER["address_height"] + 2 * MM,
            "salutation_top": salutation_top,
            "rules": rules,
        },
        "labels": {"addresses": addresses, "sheets": sheets, "sizes": LABEL_SIZES},
        "tally": {
            "pages": tally_pages,
            "boxes": tally["boxes"],
            "per_line": TALLY_PER_LINE,
            "box": TALLY_BOX,
            "title_height": TALLY_TITLE,
            "sizes": [TALLY_NAME_SIZE, 10, 9.5, 9, 8.5, 8, 7.5, 7],
        },
    }
    stamp = datetime.datetime(pack.date.year, pack.date.month, pack.date.day, tzinfo=datetime.UTC)
    return _render("pack", data, font_dir, stamp)


__all__ = ["LABEL_SIZES", "WORDS", "Pack", "PackAction", "PackLetter", "PackPart", "PackTarget",
           "page_count", "pack_pdf", "paper_for", "qr_modules", "tally_label_lines",
           "tally_rows_per_page"]  # fmt: skip
