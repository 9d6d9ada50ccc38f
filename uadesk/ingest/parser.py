"""Turn the text of an Urgent Action document into the structured draft of urgent-action.schema.json."""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import functools
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import vocabulary
from .countries import country_in, is_country_name
from .errors import NotAnUrgentAction
from .languages import is_native_script, language_code, languages_in, native_language

SCHEMA_VERSION = "1"

# The passes of the parser ask the same questions of the same lines (is it a heading, a name, a date?);
# the answer depends on the line alone, so it is kept for the later passes of the same parse (each parse
# starts empty, so a benchmark that parses one corpus again and again gains nothing from it).
_LINE_CACHED = []


def line_cache(function):
    cached = functools.lru_cache(maxsize=4096)(function)
    _LINE_CACHED.append(cached)
    return cached


@dataclass
class Individual:
    name: str
    pronoun: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "pronoun": self.pronoun}


@dataclass
class Target:
    role: str
    name: str
    honorific: str | None = None
    title: str | None = None
    address_lines: list[str] = field(default_factory=list)
    native_address_lines: list[str] = field(default_factory=list)
    native_language: str | None = None
    country: str | None = None
    emails: list[str] = field(default_factory=list)
    faxes: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    social: list[str] = field(default_factory=list)
    salutation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "name": self.name,
            "honorific": self.honorific,
            "title": self.title,
            "address_lines": list(self.address_lines),
            "native_address_lines": list(self.native_address_lines),
            "native_language": self.native_language,
            "country": self.country,
            "emails": list(self.emails),
            "faxes": list(self.faxes),
            "phones": list(self.phones),
            "social": list(self.social),
            "salutation": self.salutation,
        }


@dataclass
class ModelLetter:
    salutation: str | None
    body: str
    closing: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"salutation": self.salutation, "body": self.body, "closing": self.closing}


@dataclass
class UADocument:
    kind: str = "unknown"
    title: str = ""
    ua_number: str | None = None
    index_number: str | None = None
    issued_on: dt.date | None = None
    summary: str = ""
    individuals: list[Individual] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    model_letter: ModelLetter | None = None
    asks: list[str] = field(default_factory=list)
    additional_information: str = ""
    preferred_languages: list[str] = field(default_factory=list)
    deadline: dt.date | None = None
    previous_ua_urls: list[str] = field(default_factory=list)
    delivery_notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Each warning with the field it is about ("title", "targets.0.salutation"): staff see it beside it.
    doubts: list[tuple[str, str]] = field(default_factory=list, repr=False)
    # The document's own language (en, es, fr, de, ...), for the draft; not part of the JSON contract.
    language: str | None = None
    # Names standing alone near the letter: the people at risk when no NAME line says so.
    lone_names: list[str] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "title": self.title,
            "ua_number": self.ua_number,
            "index_number": self.index_number,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "summary": self.summary,
            "individuals": [i.to_dict() for i in self.individuals],
            "targets": [t.to_dict() for t in self.targets],
            "model_letter": self.model_letter.to_dict() if self.model_letter else None,
            "asks": list(self.asks),
            "additional_information": self.additional_information,
            "preferred_languages": list(self.preferred_languages),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "previous_ua_urls": list(self.previous_ua_urls),
            "delivery_notes": list(self.delivery_notes),
            "warnings": list(self.warnings),
        }

    def warn(self, about: str, text: str) -> None:
        """A warning on one field: `about` is its path in to_dict(), such as "targets.0.address_lines"."""
        self.warnings.append(text)
        self.doubts.append((about, text))


# ---------------------------------------------------------------- text helpers

_SPACE_RE = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Noise a PDF or a web page leaves: zero-width spaces, byte-order marks, soft hyphens.
_ZERO_WIDTH_RE = re.compile(r"[\u200b\u2060\ufeff\u00ad]")
# The zero-width non-joiner and joiner spell Persian, Urdu, Kurdish and Indic words ("اژه‌ای"): kept
# between two letters, dropped only where they join nothing (beside a space or at a line's end).
_STRAY_JOINER_RE = re.compile(r"(?<!\w)[\u200c\u200d]+|[\u200c\u200d]+(?!\w)")


def normalise_text(text: str) -> list[str]:
    """Lines of the text, each trimmed with inner whitespace collapsed; blank lines kept as ''."""
    text = _ZERO_WIDTH_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if "\u200c" in text or "\u200d" in text:  # the search looks around every character: only when needed
        text = _STRAY_JOINER_RE.sub("", text)
    return [_SPACE_RE.sub(" ", line).strip() for line in text.split("\n")]


_BULLET_RE = re.compile(r"^(?:[•●○◦▪▫■□‣∙·*\-–—➢➤►✓]|\(?\d{1,2}[.)]|\(?[a-h][.)])\s+")


def strip_bullet(line: str) -> str:
    return _BULLET_RE.sub("", line, count=1).strip()


def is_bullet(line: str) -> bool:
    return bool(_BULLET_RE.match(line))


_SENTENCE_END = tuple(".!?:;”\"')»")


def join_wrapped(lines: list[str]) -> list[str]:
    """Paragraphs from lines: a line that does not end a sentence runs on into the next (PDF wrapping)."""
    paragraphs: list[str] = []
    for line in lines:
        # Blank lines and the page numbers a PDF leaves between pages.
        if not line or re.fullmatch(r"\d{1,3}|Page \d+(?: of \d+)?", line, re.IGNORECASE):
            continue
        if paragraphs and not paragraphs[-1].endswith(_SENTENCE_END) and not is_bullet(line):
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
    return paragraphs


def blocks_of(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


# ---------------------------------------------------------------- dates

_MONTHS = {
    name: number for names in vocabulary.MONTHS.values() for number, name in enumerate(names, start=1)
} | {name: number for number, names in vocabulary.MONTH_VARIANTS.items() for name in names}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_DMY_RE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?({_MONTH_RE})\.?,?\s+(?:de\s+)?(\d{{4}})\b",
    re.IGNORECASE,
)
_DATE_MDY_RE = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)
_DATE_NUM_RE = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\b")
_YEAR_RE = re.compile(r"\d{4}")
_WORD_RE = re.compile(r"[^\W\d_]+")
_DATE_ISO_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@line_cache
def parse_date(text: str) -> dt.date | None:
    """The first date in the text, written '23 September 2022', 'September 23, 2022', '23/09/2022' or ISO."""
    if not _YEAR_RE.search(text):
        return None  # every form below has a four-digit year; most lines have none
    candidates: list[tuple[int, dt.date]] = []

    def add(pos: int, year: str, month: int, day: str) -> None:
        with contextlib.suppress(ValueError):
            candidates.append((pos, dt.date(int(year), month, int(day))))

    # The month names' patterns are slow on long lines; a line that names no month skips them.
    if not _MONTHS.keys().isdisjoint(_WORD_RE.findall(text.casefold())):
        for m in _DATE_DMY_RE.finditer(text):
            add(m.start(), m.group(3), _MONTHS[m.group(2).casefold()], m.group(1))
        for m in _DATE_MDY_RE.finditer(text):
            add(m.start(), m.group(3), _MONTHS[m.group(1).casefold()], m.group(2))
    for m in _DATE_ISO_RE.finditer(text):
        add(m.start(), m.group(1), int(m.group(2)), m.group(3))
    for m in _DATE_NUM_RE.finditer(text):
        # Amnesty writes the day first; a second number over 12 can only be a US-style day.
        first, second = int(m.group(1)), int(m.group(2))
        if second > 12 and first <= 12:
            add(m.start(), m.group(3), first, m.group(2))
        else:
            add(m.start(), m.group(3), second, m.group(1))
    return min(candidates)[1] if candidates else None


# ---------------------------------------------------------------- section headings

# One pattern for each kind of section, made from the table of labels in every language.
_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    (
        kind,
        re.compile(
            "^(?:" + "|".join(f"(?:{p})" for k, _, p in vocabulary.SECTION_LABELS if k == kind) + ")",
            re.IGNORECASE,
        ),
    )
    for kind in vocabulary.SECTION_ORDER
]


@line_cache
def heading_of(line: str) -> str | None:
    if not line or len(line) > 160:
        return None
    for kind, pattern in _HEADINGS:
        if pattern.match(line):
            return kind
    return None


@dataclass
class Section:
    kind: str
    heading: str
    lines: list[str]


def split_sections(lines: list[str]) -> list[Section]:
    sections = [Section("preamble", "", [])]
    for line in lines:
        kind = heading_of(line)
        if kind:
            sections.append(Section(kind, line, []))
        else:
            sections[-1].lines.append(line)
    return sections


def heading_value(heading: str) -> str:
    """What follows the label on the heading's line: 'Chinese, English' after 'PREFERRED LANGUAGE ...:'."""
    if ":" in heading:
        return heading.split(":", 1)[1].strip()
    return ""


# ---------------------------------------------------------------- header: kind, numbers, title

_MARKER_RE = re.compile(
    "|".join(vocabulary.MARKERS.values()) + r"|^UA\b|\bUA\s*:?\s*\d|\bUAA?\s+\d+[/.]\d+", re.IGNORECASE
)
_WRITE_NOW_RE = re.compile("|".join(vocabulary.WRITE_NOW.values()), re.IGNORECASE)
_FURTHER_RE = re.compile(
    r"\bFURTHER\s+INFORMATION\s+(?:\(\d+\)\s+)?(?:ON|ABOUT)\s+(?:UA|URGENT ACTION)\b|^FURTHER INFORMATION\b",
    re.IGNORECASE,
)
_UPDATE_RE = re.compile(
    r"\bUA\s+UPDATE\b|\bUPDATE\s+(?:ON|TO|OF)\s+(?:UA|URGENT ACTION)\b|\bURGENT ACTION\s+UPDATE\b|"
    # The lookahead finds "<word> UPDATE" first, so the ordinals are tried only there.
    r"\b(?=\w+\s+(?:UPDATE|UA)\b)(?:FIRST|SECOND|THIRD|FOURTH|FIFTH|SIXTH|SEVENTH|EIGHTH|NINTH|TENTH|FINAL|"
    r"\d+(?:ST|ND|RD|TH))\s+(?:UPDATE\b|UA\b)|\bFOLLOW-?UP\s+(?:ON|TO)\s+UA\b|^UPDATE\b|"
    # German sections number the updates of UA-092/2022 as UA-092/2022-1, -2 ...
    r"\bUA-\d{1,3}/\d{2,4}-\d{1,2}(?!\d)",
    re.IGNORECASE,
)
# "UA 92/21", "UA-Nr.: UA-051/2020-1" (a German section's first update of UA-051/2020), "AU 116/07"
# (Spanish), "UA: Country: 40.23"; web pages write "(Egypt: UA 12.34)", "(Chile 56.78)" after the title
# and "Urgent Action 90.12" in their steps.
_UA_NUMBER_RE = re.compile(
    r"\b(?:UAA?|AU)\s*(?:number|no\.?|nr\.?|#)?\s*[:-]?\s*(?:UA-)?(\d{1,3}\s*[/.]\s*\d{2,4}(?:-\d{1,2}(?!\d))?)(?![\d/])"
    r"|\bURGENT ACTION\s+(\d{1,3}\.\d{2})\b"
    r"|\((?:[A-Z][\w’' -]{1,40}:?\s+)(?:UA\s+)?(\d{1,3}\.\d{2})\)",
    re.IGNORECASE,
)
# "MDE 12/4022/2016", and the older "AFR 44/24/97".
_INDEX_RE = re.compile(r"\b([A-Z]{3})\s?(\d{2})\s?/\s?(\d{2,5})\s?/\s?(\d{4}|\d{2})\b")
_INDEX_LABEL_RE = re.compile(r"\b(?:AI\s+)?INDEX(?:\s+(?:NUMBER|NO\.?))?\s*:", re.IGNORECASE)
_DATE_LABEL_RE = re.compile(
    r"\b(?:DATE|ISSUED(?:\s+ON)?|PUBLICATION DATE|DATE OF ISSUE|DATUM|FECHA)\s*:\s*", re.IGNORECASE
)
# "Urgent Action Update: TEACHERS HELD WITHOUT CHARGE (Egypt: UA 12.34)".
_MARKED_TITLE_RE = re.compile(
    "^(?:" + "|".join(vocabulary.HEADLINE_MARKERS.values()) + r")\s*:\s*(?=\S+\s+\S)", re.IGNORECASE
)
_TITLE_LABEL_RE = re.compile(r"^(?:URGENT ACTION\s+)?TITLE\s*:\s*", re.IGNORECASE)
_BARE_MARKER_RE = re.compile(
    r"^(?:[•●▪*]\s*)?(?:AMNESTY INTERNATIONAL\s*)?(?:URGENT\s+ACTIONS?|UA)"
    r"(?:\s+(?:UPDATE|APPEAL|NETWORK))?[\s:.!-]*$",
    re.IGNORECASE,
)


@line_cache
def is_metadata_line(line: str) -> bool:
    """Header lines that carry numbers, dates or the UA marker, not the headline."""
    if len(line) > 200:
        return False  # a paragraph (a header run on with its text is unfolded before)
    if _BARE_MARKER_RE.match(line) or _FURTHER_RE.search(line) or _UPDATE_RE.search(line):
        return True
    if _UA_NUMBER_RE.search(line) and len(line) < 120:
        return True
    if _INDEX_LABEL_RE.search(line) or re.match(r"^(?:PUBLICATION )?DATE\s*:", line, re.IGNORECASE):
        return True
    if re.match(r"^URGENT ACTION TYPE AND NUMBER\b", line, re.IGNORECASE):
        return True
    # A line that is nothing but a date.
    return bool(parse_date(line)) and len(line) <= 30


def find_index(lines: list[str]) -> str | None:
    """The document's own index: after an "AI Index:" label, else alone on its line or beside the UA
    number (where an update's line also cites the index of the UA it follows, the label wins)."""
    for labelled in (True, False):
        for line in lines:
            label = _INDEX_LABEL_RE.search(line)
            m = _INDEX_RE.search(line, label.end()) if label else _INDEX_RE.search(line)
            if m and (
                bool(label) if labelled else (line.strip() == m.group(0) or _UA_NUMBER_RE.search(line))
            ):
                return f"{m.group(1)} {m.group(2)}/{m.group(3)}/{m.group(4)}"
    return None


def find_issued_on(lines: list[str]) -> dt.date | None:
    for line in lines:
        m = _DATE_LABEL_RE.search(line)
        if m:
            found = parse_date(line[m.end() :])
            if found:
                return found
    for line in lines:
        if (
            parse_date(line)
            and len(line) <= 30
            and not re.search(r"\bUNTIL\b|\bDEADLINE\b", line, re.IGNORECASE)
        ):
            return parse_date(line)
    return None


def find_kind(header: list[str], has_marker: bool) -> str:
    text = "\n".join(header)
    if _FURTHER_RE.search(text):
        return "further_information"
    if _UPDATE_RE.search(text):
        return "update"
    return "urgent_action" if has_marker else "unknown"


# ---------------------------------------------------------------- targets

_POSITION_WORDS = re.compile(
    r"\b(?:President|Vice[- ]President|Prime Minister|Premier|Minister|Secretary|Attorney|Prosecutor|"
    r"Procurator|Governor|Ambassador|Chargé|Charge d'Affaires|High Commissioner|Commissioner|Director|"
    r"Chief|Head|"
    r"Chair(?:man|woman|person)?|King|Queen|Emir|Amir|Sultan|Crown Prince|Prince|Sheikh|Judge|Justice|"
    r"Magistrate|"
    r"Speaker|Mayor|Commander|Commandant|General|Inspector|Superintendent|Warden|Ombuds(?:man|person)|"
    r"Chancellor|Leader|Supreme Leader|Deputy|Representative|Consul|Envoy|Officer|Coordinator|Rapporteur|"
    r"Procureur|Ministre|Ministro|Ministra|Presidente|Président|Fiscal|Secretario|Secretaria|Gobernador|Director[a]?|"
    r"party secretary|chief executive|CEO|head of state|Member of Parliament|MP|Senator|Counsellor|"
    # German, French and Spanish sections write the position in their language.
    r"(?:General)?[Ss]taatsanw[aä]lt(?:in)?|Generalbundesanwalt|Justizminister(?:in)?|Innenminister(?:in)?|"
    r"Ministerpräsident(?:in)?|Präsident(?:in)?|Botschafter(?:in)?|Bundeskanzler(?:in)?|Richter(?:in)?|"
    r"Gouverneur|Procureure?|Procurador(?:a)?|Fiscal General|Juez|Jueza|"
    r"Counselor)\b",
    re.IGNORECASE,
)
_ORG_WORDS = re.compile(
    r"\b(?:Embassy|High Commission|Consulate|Mission|Ministry|Office|Department|Bureau|Secretariat|Palace|"
    r"Prison|Court|Council|Commission|Government|Agency|Directorate|Headquarters|Parliament|Assembly|"
    r"Street|St\.|Road|Rd\.?|Avenue|Ave\.?|Boulevard|Blvd|Lane|Square|Place|Building|Floor|Suite|Box|"
    r"Calle|Avenida|Rue|Strasse|Straße|Ulitsa|Prospekt|Secretaría|Procuraduría|Fiscalía|Ministerio|"
    r"Presidencia|Palacio|Casa|Edificio|Zone|District|Province|City|Region|"
    r"Botschaft|Generalkonsulat|Konsulat|Ministerium|Staatsanwaltschaft|Gericht|Ambassade|Ministère|"
    r"Embajada|Consulado)\b",
    re.IGNORECASE,
)
_REPRESENTATION_RE = re.compile(
    r"\b(?:Embassy|High Commission|Consulate|Permanent Mission|Ambassador|Chargé|Charge d'Affaires|"
    r"Consul|Diplomatic|Botschaft|Botschafter(?:in)?|Generalkonsulat|Ambassade|Ambassadeur|Embajada|"
    r"Embajador[a]?)\b",
    re.IGNORECASE,
)
_MISSION_RE = re.compile(
    r"\b(?:Embassy|High Commission|Consulate|Permanent Mission|"
    r"Botschaft|Generalkonsulat|Ambassade|Embajada)\b",
    re.IGNORECASE,
)
_HONORIFIC_RE = re.compile(
    r"^(?:(?:His|Her|Your)\s+(?:Excellency|Majesty|Highness|Royal Highness)|H\.\s?E\.|HE|HRH|HM|"
    r"S\.\s?E\.|(?:Seine|Ihre)\s+Exzellenz|(?:Son|Votre)\s+Excellence|Su\s+Excelencia|Herrn|"
    r"The\s+Hon(?:ou?rable|\.)?|Hon\.?|Rt\.?\s+Hon\.?|Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Lord|Lady|"
    r"Sheikh|Shaikh|Sheikha|Imam|Ayatollah|Rev(?:erend)?|Father|Sr|Sra|Srta|Dña|Doña|Don|Lic|Licenciado|Licenciada|"
    r"Dra|Ing|Abg|Abogado|Abogada|Mme|Mlle|M|Me|Maître|Herr|Frau|Lt\.?\s*Gen(?:eral)?|"
    r"Maj(?:or)?\.?\s*Gen(?:eral)?|Brig(?:adier)?\.?\s*Gen(?:eral)?|Col(?:onel)?|Capt(?:ain)?|Judge|Justice|(?:Gen(?:eral)?|Coronel|Teniente|Capitán|Comisario|Comisionado)(?:\s+(?:de|of)\s+(?:División|Brigada|Ejército|Policía))?)\.?"
    r"(?:\s+|$)",
    re.IGNORECASE,
)
_NAME_PARTICLES = {
    "al",
    "el",
    "bin",
    "bint",
    "ibn",
    "abu",
    "de",
    "del",
    "della",
    "da",
    "das",
    "do",
    "dos",
    "du",
    "la",
    "le",
    "van",
    "von",
    "der",
    "den",
    "ter",
    "y",
    "e",
    "ul",
    "ud",
    "bte",
    "binti",
    "bin.",
    "ould",
    "wa",
    "ben",
}
# Longest first, so that "Email address" is tried before "Email" and "Twitter/X" before "X".
_CONTACT_LABELS = sorted(
    ((label, kind) for kind, labels in vocabulary.CONTACT_LABELS.items() for label in labels),
    key=lambda row: -len(row[0]),
)
_CONTACT_LABEL_RE = re.compile(
    r"(?:^|\s|[,;/])(?P<label>" + "|".join(label for label, _ in _CONTACT_LABELS) + ")"
    r"\s*(?:number|no\.?)?\s*[:：]\s*",
    re.IGNORECASE,
)


@functools.cache  # a few dozen labels, each read against the table once
def contact_kind(label: str) -> str:
    """email, fax, phone, social or salutation, for a contact label as the text writes it."""
    return next(kind for pattern, kind in _CONTACT_LABELS if re.fullmatch(pattern, label, re.IGNORECASE))


# Anchored at the start of a word and at most 64 characters before the @ (RFC 5321): a long run
# of letters without one is then read once, not tried from each of its characters.
_EMAIL_RE = re.compile(r"(?<![\w.+'-])[\w.+'-]{1,64}@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_HANDLE_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,30}\b")
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"'”)]+|\bwww\.[^\s<>\"'”)]+", re.IGNORECASE)
_SALUTATION_RE = re.compile("^(?:" + "|".join(vocabulary.SALUTATIONS.values()) + r")\b", re.IGNORECASE)
_ADDRESS_LABEL_RE = re.compile(
    r"^(?:(?:their|his|her|the|its)\s+)?(?:(?:postal|mailing|official)\s+)?address(?:es)?"
    r"(?:\s+in\s+(?P<lang>[A-Za-z ]+?))?\s*:?$|^(?:in|address in|written in)\s+(?P<lang2>[A-Za-z ]+?)\s*:$",
    re.IGNORECASE,
)
_CLOSING_RE = re.compile("^(?:" + "|".join(vocabulary.CLOSINGS.values()) + r")\b[,.]?\s*$", re.IGNORECASE)
_DELIVERY_RE = re.compile(
    r"\b(?:envelope|chances of delivery|print (?:out )?the address|"
    r"postal (?:service|system|address)s? (?:is|are|may)|post(?:al)? (?:services?|deliver)|"
    r"by (?:registered|courier)|letters? (?:may|might|can) not|emails? (?:may|might) (?:bounce|not)|"
    r"fax (?:numbers? )?(?:may|might|is|are) (?:not|unreliable|busy)|if (?:the )?(?:fax|email)s? "
    r"(?:fail|bounce|does not|do not)|keep trying)\b",
    re.IGNORECASE,
)


def strip_honorific(text: str) -> tuple[str | None, str]:
    """('H.E. Mr', 'Diarra Ibrahima') from 'H.E. Mr Diarra Ibrahima'; honorifics can come in a row."""
    end = 0
    while m := _HONORIFIC_RE.match(text[end:]):
        if end + m.end() >= len(text) or not m.end():
            break
        end += m.end()
    if not end:
        return None, text
    return text[:end].strip(), text[end:].strip()


_LEADING_POSITION_RE = re.compile(
    r"^(?P<title>(?:Acting\s+|Deputy\s+|Vice[- ])?(?:President|Prime Minister|Minister|Ambassador|Governor|"
    r"Mayor|Attorney General|Prosecutor General|Public Prosecutor|Prosecutor|Chief Justice|Judge|Justice|"
    r"King|Queen|Emir|"
    r"Sultan|Crown Prince|Prince|Senator|Commissioner|Chargé d'Affaires|Chief|Director|Secretary|Speaker))\s+"
    r"(?P<rest>.+)$"
)


def split_leading_position(line: str) -> tuple[str, str | None, str] | None:
    """('Ambassador', honorific, name) from 'Ambassador Tadeous Chifamba'; None if the rest is no name."""
    m = _LEADING_POSITION_RE.match(line.strip(" ,"))
    if not m:
        return None
    honorific, name = strip_honorific(m.group("rest"))
    if len(name.split()) < 2 or not looks_like_name(name):
        return None
    return m.group("title"), honorific, name


@line_cache
def looks_like_name(line: str) -> bool:
    """A person's name: a few capitalised words, no digits, no position, organisation or country words."""
    _, rest = strip_honorific(line)
    rest = rest.strip(" ,.;:")
    if not rest or len(rest) > 60 or re.search(r"\d|@|:|/|\(|\)", rest):
        return False
    if _POSITION_WORDS.search(rest) or _ORG_WORDS.search(rest) or is_country_name(rest):
        return False
    if any(is_country_name(part.strip(" .")) for part in rest.split(",")):
        return False  # "Paris, France": a place
    words = re.split(r"\s+", rest)
    if not 1 <= len(words) <= 6:
        return False
    for word in words:
        bare = word.strip("()‘’'\".,").replace("’", "'")
        if not bare:
            return False
        head = (
            re.split(r"[-']", bare)[-1]
            if bare.casefold().startswith(("al-", "el-", "ad-", "as-", "ash-", "at-", "az-"))
            else bare
        )
        if head.casefold() in _NAME_PARTICLES:
            continue
        if not head[:1].isupper():
            return False
    # One-word "names" are usually place names; a lone word counts only beside an honorific.
    return len(words) >= 2 or rest != line.strip(" ,.;:")


def clean_title(text: str) -> str:
    text = re.sub(r"(?:[,;]\s*|\s+)(?:and|or|&)\s*$", "", text.strip())
    return text.strip(" ,;.:–—-")


def split_person(text: str) -> tuple[str | None, str, str | None]:
    """(honorific, name, title) from a list item such as 'Li Wei, party secretary of X, and'."""
    text = clean_title(strip_bullet(text))
    parts = re.split(r"\s*,\s*|\s+[–—-]\s+|\s*\(\s*", text, maxsplit=1)
    if len(parts) == 2:
        first, second = parts[0], clean_title(parts[1].rstrip(")"))
        if looks_like_name(first):
            honorific, name = strip_honorific(first)
            return honorific, name, second or None
        if looks_like_name(second):
            honorific, name = strip_honorific(second)
            return honorific, name, first or None
    honorific, name = strip_honorific(text)
    return honorific, name, None


@line_cache
def split_contacts(line: str) -> tuple[tuple[str, str], ...]:
    """[(label, value)] for a line like 'Fax: +1 234 Email: a@b.org'; [] when it has no contact label."""
    matches = list(_CONTACT_LABEL_RE.finditer(line)) if ":" in line or "：" in line else []
    if not matches or line[: matches[0].start()].strip(" ,;/"):
        return ()
    pairs = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        pairs.append((m.group("label").casefold(), line[m.end() : end].strip(" ,;/")))
    return tuple(pairs)


def split_values(value: str) -> list[str]:
    parts = re.split(r"\s*(?:;|,|/(?!/)|\bor\b|\band\b)\s*", value)
    return [p.strip(" .") for p in parts if p.strip(" .")]


def clean_salutation(text: str) -> str:
    return text.strip().rstrip(",:;").strip()


@dataclass
class PendingBlock:
    """Lines of one contact block, sorted by what they are."""

    latin: list[str] = field(default_factory=list)
    native: list[str] = field(default_factory=list)
    native_hint: str | None = None
    emails: list[str] = field(default_factory=list)
    faxes: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    social: list[str] = field(default_factory=list)
    salutation: str | None = None
    notes: list[str] = field(default_factory=list)


def sort_block(lines: list[str]) -> PendingBlock:
    block = PendingBlock()
    for raw in lines:
        line = strip_bullet(raw) if is_bullet(raw) else raw
        label = _ADDRESS_LABEL_RE.match(line)
        if label:
            hint = label.group("lang") or label.group("lang2")
            if hint and language_code(hint) and language_code(hint) != "en":
                block.native_hint = language_code(hint)
            continue
        pairs = split_contacts(line)
        if pairs:
            for name, value in pairs:
                add_contact(block, name, value)
            continue
        if _SALUTATION_RE.match(line) and len(line) < 120:
            block.salutation = clean_salutation(line)
            continue
        if _DELIVERY_RE.search(line) and len(line) > 60:
            block.notes.append(line)
            continue
        if is_native_script(line):
            block.native.append(line)
            continue
        emails = _EMAIL_RE.findall(line)
        if emails and not _EMAIL_RE.sub("", line).strip(" ,;/"):
            block.emails.extend(e for e in emails if e not in block.emails)
            continue
        handles = _HANDLE_RE.findall(line)
        if handles and not _HANDLE_RE.sub("", line).strip(" ,;/"):
            block.social.extend(handles)
            continue
        block.latin.append(line)
    return block


def add_contact(block: PendingBlock, label: str, value: str) -> None:
    if not value:
        return
    kind = contact_kind(label)
    if kind == "email":
        block.emails.extend(e for e in _EMAIL_RE.findall(value) if e not in block.emails)
    elif kind == "fax":
        value = re.sub(r"\s*\((?![\d\s)]+\)).*$", "", value)  # "+256 41 25 8722 (via Ministry of F..."
        block.faxes.extend(v for v in split_values(value) if re.search(r"\d{3}", v))
    elif kind == "phone":
        block.phones.extend(v for v in split_values(value) if re.search(r"\d{3}", v))
    elif kind == "salutation":
        block.salutation = clean_salutation(value)
    else:
        handles = _HANDLE_RE.findall(value) or _URL_RE.findall(value)
        block.social.extend(handles or [value.strip()])


def target_from_block(block: PendingBlock, role: str) -> Target | None:
    """Name, title and address from the Latin lines of a block: title and name lead, the address follows."""
    latin = list(block.latin)
    honorific = name = title = None
    head_end = 0
    person = split_person_run(latin[0]) if latin and not looks_like_name(latin[0]) else None
    if person and len(person) >= 2 and _POSITION_WORDS.match(person[0]):
        # "Attorney General of Chile Rodrigo Vial Soto": position and name on one line.
        title, (honorific, name), head_end = person[0], strip_honorific(person[1]), 1
        latin[1:1] = person[2:]
    for i, line in enumerate(latin[:3] if name is None else []):
        if looks_like_name(line):
            honorific, name = strip_honorific(line.strip(" ,"))
            head_end = i + 1
            break
    if name is None:
        # "Ambassador Tadeous Chifamba": the position leads the name on one line.
        for i, line in enumerate(latin[:2]):
            split = split_leading_position(line)
            if split:
                title, honorific, name = split
                head_end = i + 1
                break
    if name is None and latin and "," in latin[0]:
        # "Name, Title" on one line, as lists of officials often give it.
        h, n, t = split_person(latin[0])
        if looks_like_name(n):
            honorific, name, title, head_end = h, n, t, 1
    if name is None:
        return None
    above_name = latin[: head_end - 1]
    title_lines = [line for line in above_name if not _ORG_WORDS.search(line) or _POSITION_WORDS.search(line)]
    # A position written on the line after the name ("Tomás Ibarra / Minister of Security").
    if not title_lines and title is None and head_end < len(latin):
        nxt = latin[head_end]
        if (
            _POSITION_WORDS.search(nxt)
            and not _MISSION_RE.search(nxt.split(",")[0])
            and not re.search(r"\d", nxt)
            and (not _ORG_WORDS.search(nxt) or re.match(_POSITION_WORDS.pattern, nxt, re.IGNORECASE))
        ):
            title_lines = [nxt]
            head_end += 1
    if title_lines and title is None:
        title = clean_title(" ".join(title_lines))
    # An organisation named above the person ("Embassy of ...", then the ambassador) leads the address.
    org_lines = [line for line in above_name if line not in title_lines]
    address = org_lines + latin[head_end:]
    target = Target(
        role=role,
        name=name.strip(" ,.;"),
        honorific=honorific,
        title=title or None,
        address_lines=address,
        native_address_lines=list(block.native),
        emails=list(block.emails),
        faxes=list(block.faxes),
        phones=list(block.phones),
        social=list(block.social),
        salutation=block.salutation,
    )
    finish_target(target, block.native_hint)
    return target


def finish_target(target: Target, native_hint: str | None) -> None:
    if target.country is None:
        target.country = country_in("\n".join(target.address_lines)) if target.address_lines else None
    if target.country is None and target.title:
        target.country = country_in(target.title)
    if target.native_address_lines:
        target.native_language = native_hint or native_language(
            " ".join(target.native_address_lines), target.country
        )


def split_contact_runs(lines: list[str]) -> list[list[str]]:
    """Blocks of a contact list: parted by blank lines, or by a new name after a block's contact lines."""
    runs: list[list[str]] = []
    for block in blocks_of(lines):
        current: list[str] = []
        seen_contact = False
        for line in block:
            is_contact = (
                bool(split_contacts(line)) or bool(_SALUTATION_RE.match(line)) or is_native_script(line)
            )
            if (
                seen_contact
                and not is_contact
                and current
                and (_POSITION_WORDS.search(line) or looks_like_name(line) or _MISSION_RE.search(line))
                and not _ADDRESS_LABEL_RE.match(line)
            ):
                runs.append(current)
                current = []
                seen_contact = False
            current.append(line)
            seen_contact = seen_contact or is_contact
            # A salutation closes a block in lists where each official has one.
            if line.lower().startswith("salutation"):
                runs.append(current)
                current = []
                seen_contact = False
        if current:
            runs.append(current)
    return runs


def targets_from_lines(lines: list[str], role: str, doc: UADocument) -> list[Target]:
    targets: list[Target] = []
    for run in split_contact_runs(lines):
        block = sort_block(run)
        doc.delivery_notes.extend(n for n in block.notes if n not in doc.delivery_notes)
        target = target_from_block(block, role_for(run, role))
        if target is not None and not (target.title or target.address_lines or has_contacts(target)):
            # A name alone is the subject line of a letter, not someone to write to.
            doc.lone_names.append(target.name)
            continue
        if target is None and role != "primary" and block.latin and _MISSION_RE.search(block.latin[0]):
            # "Ambassade de Ruritanie, Paris, France.": a copy to a mission, no one named.
            target = Target(role=role, name="", address_lines=list(block.latin))
            finish_target(target, block.native_hint)
        if target is not None:
            targets.append(target)
        elif (
            targets and not block.latin and (block.native or block.emails or block.faxes or block.salutation)
        ):
            # Contact lines split off from the block above by a blank line still belong to it.
            merge_into(targets[-1], block)
    return targets


def has_contacts(target: Target) -> bool:
    return bool(
        target.emails or target.faxes or target.phones or target.social or target.native_address_lines
    )


def merge_into(target: Target, block: PendingBlock) -> None:
    target.native_address_lines.extend(block.native)
    target.emails.extend(e for e in block.emails if e not in target.emails)
    target.faxes.extend(block.faxes)
    target.phones.extend(block.phones)
    target.social.extend(block.social)
    target.salutation = target.salutation or block.salutation
    finish_target(target, block.native_hint)


def role_for(lines: list[str], default: str) -> str:
    if default == "additional" and any(_REPRESENTATION_RE.search(line) for line in lines[:3]):
        return "copy"
    return default


def is_prose(line: str) -> bool:
    """A sentence of instructions rather than a line of an address."""
    words = line.split()
    return len(words) >= 9 and bool(
        re.search(r"\b(?:is|are|please|you|your|it|to|also|if|not|can|the)\b", line, re.I)
    )


def additional_targets(lines: list[str], doc: UADocument) -> list[Target]:
    """'Additional targets': listed officials that may share one address, and full contact blocks."""
    people: list[tuple[str | None, str, str | None]] = []
    shared: list[str] = []
    rest: list[str] = []
    state = "intro"
    for line in lines:
        if state == "rest":
            rest.append(line)
            continue
        if not line:
            if state == "shared":
                shared.append(line)
            continue
        if is_bullet(line) and state in ("intro", "people"):
            h, n, t = split_person(line)
            if looks_like_name(n) or (h and n):
                people.append((h, n, t))
                state = "people"
                continue
        if _ADDRESS_LABEL_RE.match(line) and people:
            state = "shared"
            shared.append(line)
            continue
        if is_prose(line) or (line.endswith(":") and not _ADDRESS_LABEL_RE.match(line)):
            if _DELIVERY_RE.search(line) and line not in doc.delivery_notes:
                doc.delivery_notes.append(line)
            continue
        if state == "shared" and not (
            looks_like_name(line) or _POSITION_WORDS.search(line) or _REPRESENTATION_RE.search(line)
        ):
            shared.append(line)
            continue
        state = "rest"
        rest.append(line)
    block = sort_block([line for line in shared if line])
    targets = []
    for honorific, name, title in people:
        target = Target(
            role="additional",
            name=name,
            honorific=honorific,
            title=title,
            address_lines=list(block.latin),
            native_address_lines=list(block.native),
            emails=list(block.emails),
            faxes=list(block.faxes),
            phones=list(block.phones),
            social=list(block.social),
        )
        finish_target(target, block.native_hint)
        targets.append(target)
    targets.extend(targets_from_lines(rest, "additional", doc))
    return targets


# ---------------------------------------------------------------- the letter

_ASK_LEAD_RE = re.compile(
    r"\b(?:urge|call on|call upon|ask|request|demand|implore|appeal to)\s+"
    r"(?:you|your\s+\w+|the\s+authorities)\b"
    r"(?:\s+\w+){0,3}\s*(?:to)?\s*:?\s*$|\b(?:urge|call on|ask) you to:?$|:\s*$",
    re.IGNORECASE,
)


def letter_paragraphs(lines: list[str]) -> list[str]:
    """Body paragraphs: blank lines part them; list items stand alone; other lines of a block run together."""
    paragraphs: list[str] = []
    for block in blocks_of(lines):
        items: list[str] = []
        for line in block:
            if is_bullet(line) or not items or items[-1].endswith((";", ":")):
                items.append(strip_bullet(line) if is_bullet(line) else line)
            else:
                items[-1] += " " + line
        paragraphs.append("\n".join(items))
    return paragraphs


def asks_from(paragraphs: list[str], *, whole_sentences: bool = False) -> list[str]:
    """The items after the 'I urge you to' line of the letter."""
    for i, para in enumerate(paragraphs):
        last_line = para.split("\n")[-1]
        if _ASK_LEAD_RE.search(last_line) and re.search(
            r"\b(?:urge|call|ask|request|demand)\b", last_line, re.I
        ):
            if "\n" in para:
                return [item for item in para.split("\n")[1:] if item]
            asks = []
            for following in paragraphs[i + 1 :]:
                asks.extend(item for item in following.split("\n") if item)
            return asks
    for para in paragraphs:
        items = para.split("\n")
        if len(items) > 1 and re.search(r"\b(?:urge|call|ask)\b", items[0], re.I):
            return items[1:]
    # "I urge you to release X." — each demand sits inside its sentence, and runs to the sentence's end.
    # An ask is kept from its verb on ("ensure that ..."), to the end of its sentence and of the requests
    # that follow it ("Bitte gewähren Sie ..."). A letter page, which has no list of demands, gives the
    # sentences that are asks whole ("I urge you to consider ..."), as staff will quote them.
    asks = []
    for para in paragraphs:
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Þ])", para)
        for i, sentence in enumerate(sentences):
            if m := _INLINE_ASK_RE.search(sentence):
                opens = m.start() <= len(re.match(r"^(?:\w+,\s*)?", sentence).group(0))
                whole = whole_sentences and opens  # not "..., and I ask you to ..." inside another sentence
                ask = sentence.strip() if whole else next(g for g in m.groups() if g).strip()
                for following in sentences[i + 1 :]:
                    if not _PLEASE_RE.match(following):
                        break
                    ask += " " + following.strip()
                asks.append(ask)
    return asks


# A sentence that is a request of its own: "Please ...", "Bitte ...", "Por favor ...", "Veuillez ...".
_PLEASE_RE = re.compile("^(?:" + "|".join(vocabulary.PLEASE.values()) + r")\b")


_INLINE_ASK_RE = re.compile(
    r"\b(?:I|We)\s+(?:(?:therefore|respectfully|strongly|finally|also|further)\s+)?"
    r"(?:(?:would like|want|wish|am writing|are writing) to\s+)?"
    r"(?:urge|call on|call upon|ask|request)\s+"
    r"(?:you|your \w+(?: \w+)?|the (?:\w+ )?authorities)\s+to\s+(.+)$"
    r"|\b(?:Ich|Wir)\s+(?:fordere|fordern|bitte|bitten)\s+Sie\s+(?:\w+\s+)?(?:auf|dringend)?\s*,\s*(.+)$"
    r"|\bJe vous (?:demande|prie|exhorte|appelle)\s+(?:instamment\s+|respectueusement\s+)?(?:de |d'|à )(.+)$"
    r"|\b(?:Le|Les|Lo|La)\s+(?:insto|pido|solicito|exhorto)\s+(?:respetuosamente\s+)?"
    r"(?:a que |que |a )?(.+)$",
    re.IGNORECASE | re.DOTALL,
)


# ---------------------------------------------------------------- unfolding run-together lines

# Web pages and two-column PDFs run what a printed UA sets on several lines into one: a whole contact
# block ("Pavel Orlov Prosecutor General of ... Vilnius, Lithuania Email: ... Salutation: Dear ..."), or a
# letter's heading, salutation and body ("SAMPLE LETTER Dear Minister, I am writing ..."). Unfolding
# puts them back on lines of their own, so the rest of the parser reads every layout alike.
_INLINE_LETTER_RE = re.compile(
    "^(?P<label>" + "|".join(vocabulary.LETTER_LABELS.values()) + r")\s*:?\s+(?P<rest>\S.*)$", re.IGNORECASE
)
# A separator between two contact values on a run-together line: "Phone: 202 986 9420 I Fax: ...".
_RUN_SEPARATOR_RE = re.compile(r"\s+[I|]\s*$")


# The numbered steps a section's web page gives instead of a "TAKE ACTION" heading.
_STEP_RE = re.compile(r"\b(?:" + "|".join(vocabulary.STEPS.values()) + r")\b", re.IGNORECASE)


# "... corre grave peligro.Marta Gil fue ...": a page that lost its paragraph breaks.
_RUN_ON_RE = re.compile(r"(?<=[a-zß-öø-ÿ]{2}[.:])(?=[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿA-ZÀ-ÖØ-Þ])")


def unfold(lines: list[str]) -> list[str]:
    out: list[str] = []
    headed = False
    lines = [part for line in lines for part in _split_run_on(line)]
    for line in lines:
        headed = headed or bool(heading_of(line))
        if m := _INLINE_LETTER_RE.match(line):
            out.extend([m.group("label") + ":", *split_inline_salutation(m.group("rest"))])
        elif _SALUTATION_RE.match(line) and len(line) > 120:
            out.extend(split_inline_salutation(line))
        elif not headed and is_bullet(line) and _STEP_RE.search(line):
            # The steps open the call to action, as the heading does on other pages.
            out.extend(["TAKE ACTION:", line])
            headed = True
        else:
            unfolded = unfold_contact_run(line)
            if len(unfolded) > 1 and out and out[-1]:
                out.append("")  # each run-together block is a block of its own
            out.extend(unfolded)
    return out


# "URGENT ACTION TEACHERS HELD WITHOUT CHARGE Three teachers were ...": a PDF's header, headline
# and first paragraph on one line; the headline is the run of capitals after the marker.
_MARKER_HEADLINE_RE = re.compile(
    r"^(?P<before>.*?)\b(?P<marker>" + "|".join(vocabulary.HEADLINE_MARKERS.values()) + r")\s+"
    r"(?P<headline>(?:[A-ZÀ-Þ0-9’'\",:/()-]+\s+)+?[A-ZÀ-Þ0-9’'\",:/()-]*[A-ZÀ-Þ])\s+(?P<body>[A-ZÀ-Þ][a-zß-ÿ].*)$"
)
_HEADLINE_HINT_RE = re.compile("|".join(vocabulary.HEADLINE_MARKERS.values()))
# "12 June 1996 KENYAOtieno Wafula, aged 34": a country's name in capitals run into a name.
_GLUED_COUNTRY_RE = re.compile(r"(?:^|(?<=\s))([A-Z]{4,})(?=[A-Z][a-z])")


def _split_run_on(line: str) -> list[str]:
    if "://" in line or "@" in line:
        return [line]
    # The substring tests spare most lines the slower searches.
    if _HEADLINE_HINT_RE.search(line) and (m := _MARKER_HEADLINE_RE.match(line)):
        parts = [m.group("before").strip(), m.group("marker"), m.group("headline"), "", m.group("body")]
        return parts if parts[0] else parts[1:]
    for glued in _GLUED_COUNTRY_RE.finditer(line):
        if is_country_name(glued.group(1).title()):
            before, after = line[: glued.start()].strip(), line[glued.end() :]
            parts = [before, glued.group(1), "", after]
            return parts if before else parts[1:]
    parts = _RUN_ON_RE.split(line)
    return [line] if len(parts) == 1 else [p for part in parts for p in (part, "")][:-1]


def split_inline_salutation(text: str) -> list[str]:
    """["Dear Minister,", "I am writing ..."] from a letter run into one line; the text as it is
    when it does not open with a short salutation ended by a comma."""
    m = re.match(r"^(?P<salutation>[^,.:;]{3,80}),\s+(?P<body>\S.*)$", text)
    if m and _SALUTATION_RE.match(text):
        return [m.group("salutation") + ",", m.group("body")]
    return [text]


def unfold_contact_run(line: str) -> list[str]:
    """A whole contact block on one line, back on lines: the person, then each labelled contact."""
    labels = list(_CONTACT_LABEL_RE.finditer(line)) if ":" in line or "：" in line else []
    if not labels:
        # No contact at all: a name, a position and an address with its number ("Wang Lin Party
        # Secretary of ... 12 Renmin Lu ..."), or the line is left alone.
        if len(line) > 250 or line.endswith((".", ",", ":", ";")) or not _DIGIT_RE.search(line):
            return [line]  # a sentence, or no house number: not an address run on
        person = split_person_run(line)
        return person if person and len(person) == 3 and re.search(r"\d", person[2]) else [line]
    head = line[: labels[0].start()].strip(" ,;")
    if not head or len(head) > 250:
        return [line]
    person = split_person_run(head)
    if person is None:
        if is_prose(head) or not (_LEADING_POSITION_RE.match(head) or _HONORIFIC_RE.match(head)):
            return [line]
        person = [head]
    out = person
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(line)
        value = _RUN_SEPARATOR_RE.sub("", line[m.end() : end].strip(" ,;"))
        out.append(f"{m.group('label')}: {value}")
    return out


_DIGIT_RE = re.compile(r"\d")
# Where an address begins on a run-together line: a house number, a street's abbreviation, a P.O. box or
# an organisation's word ("Embassy of Lithuania 2622 16th St NW").
_ADDRESS_START_RE = re.compile(
    r"\d|^(?:[A-Z][a-z]{0,3}\.$|P\.?\s?O\.?$|Box$)|^(?:Embassy|Permanent|Mission|Office|Ministry|"
    r"Consulate|High|Palace|Prison|Court|Calle|Avenida|Rue|Via|Ul\.|Vul\.|Av\.|Jl\.)$"
)


def name_length(words: list[str]) -> int:
    """How many of the first words are a person's name (two to four) followed by an address, or 0."""
    for n in (2, 3, 4):
        if n >= len(words) or not all(w.strip(",")[:1].isupper() for w in words[:n]):
            return 0
        if _ADDRESS_START_RE.search(words[n].strip(",")) and looks_like_name(" ".join(words[:n]).strip(",")):
            return n
    return 0


def split_person_run(head: str) -> list[str] | None:
    """["Prosecutor General of the Republic of Lithuania", "Pavel Orlov", "Gedimino pr. ... Vilnius"] from
    the words before the first contact label: a name and a position in either order, then the address."""
    words = head.split()
    honorific, rest = strip_honorific(head)
    lead = []
    if honorific:
        lead = [honorific]
        words = rest.split()
    title: list[str] = []
    name: list[str] = []
    # "Public Prosecutor Samir al-Tawil ...": a position first, then the name.
    if m := _LEADING_POSITION_RE.match(" ".join(words)):
        title = m.group("title").split()
        words = words[len(title) :]
        # "Attorney General of Chile Rodrigo Vial Soto": the position runs to its country; else
        # "Minister of the Interior Halvard Mørkeberg ...": as far as still leaves a name after it.
        if words and words[0] in ("of", "de", "du", "des", "del"):
            country = next(
                (k for k in range(len(words), 1, -1) if is_country_name(" ".join(words[1:k]).strip(","))),
                None,
            )
            ends = [k for k in range(2, min(len(words), 8)) if name_length(words[k:])]
            if k := country or (ends[-1] if ends else None):
                title, words = title + words[:k], words[k:]
    # The name: two to four capitalised words (particles allowed).
    i = 0
    while i < len(words) and i < 5:
        bare = words[i].strip(",")
        if not bare or _ADDRESS_START_RE.search(bare) or _POSITION_WORDS.match(" ".join(words[i:])):
            break
        if not (
            bare[:1].isupper() or bare.casefold() in _NAME_PARTICLES or bare.casefold().startswith("al-")
        ):
            break
        if _ORG_WORDS.fullmatch(bare) or is_country_name(bare):
            break
        name.append(bare)
        i += 1
        if words[i - 1].endswith(","):
            break
    if not 2 <= len(name) <= 4 or not looks_like_name(" ".join(name)):
        return None
    words = words[i:]
    # The position after the name runs until the address begins.
    if not title and words and _POSITION_WORDS.match(" ".join(words)):
        j = 0
        while j < len(words):
            bare = words[j].strip(",")
            if j and _ADDRESS_START_RE.search(bare) and words[j - 1] not in ("of", "the"):
                break
            if j and not (bare[:1].isupper() or bare in ("of", "the", "and", "for", "de", "du", "des")):
                break
            j += 1
            if words[j - 1].endswith(","):
                break
        title, words = [w.strip(",") for w in words[:j]], words[j:]
    out = []
    if title:
        out.append(" ".join(title))
    out.append(" ".join(lead + name))
    if words:
        out.append(" ".join(words).strip(" ,"))
    return out


# ---------------------------------------------------------------- the people at risk, unlabelled

# A capitalised word of a name: "Şükrü", "al-Rashidi", "‘Abdulwahid", "O'Brien", "Yıldırım".
_NAME_WORD = (
    r"(?:(?:al|el|ad|as|ash|at|az)-)?[‘'’]?[A-ZÀ-ÖØ-ÞĀ-Žİ][a-zß-öø-ÿā-žı‘'’]+"
    r"(?:-[A-ZÀ-Þa-zß-ÿ][a-zß-öø-ÿā-žı]+)?"
)
_NAME_PARTICLE = r"(?i:al|el|bin|bint|ibn|abu|de|del|della|da|dos|du|la|le|van|von|ter|ould|ben)"
_NAME_RUN_RE = re.compile(
    rf"(?<![\w‘'’-])({_NAME_WORD}(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?{_NAME_WORD}){{1,5}})(?![\w-])"
)
# "Yusuf ‘Isa Karim al-‘Amri (m)": a name marked with the person's gender or pronoun.
_ACRONYM_AFTER_RE = re.compile(r"\s*\([A-ZÀ-Þ]{2,}[A-Z0-9-]*\)")
_MARKED_PERSON_RE = re.compile(r"\s*\((?:m|f|male|female|he/him|she/her|they/them)\)", re.IGNORECASE)
# Capitalised words that are not a person's: days, months, and the words that open sentences.
_NOT_NAME_WORDS = {
    w.casefold()
    for w in (
        "The This That These Those There Their They He She His Her Its It We Our You Your In On At By "
        "For From With Without After Before During Since Until When While Where Who What Which As And "
        "But Or If Also "
        "Amnesty International Urgent Action Update Further Information Dear Please Write Yours Sincerely "
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
        "August September October November December Die Der Das Den Dem Des Ein Eine Le La Les El Los Las Un "
        "Une Il Elle Ils Am Im "
        # Words of bodies and places, which also come in runs of capitals.
        "Centre Center Committee Federation Organisation Organization Station Corporation Radio Service "
        "Forces Armed Army Party Republic Autonomous Region Union Movement Front Group Network Association "
        "Foundation Institute Agency Unit Division Police Security Guard Investigations Prosecution "
        "Liberties Heads Bloc Bloque Fuerzas Armadas Comité Centro Comisión Consejo Partido Frente "
        "Zentrum Partei Polizei Gruppe Stiftung University Universidad School College Hospital News Times "
        "Channel Press Media Airport Station Street Avenue Road Square Strip City Province District"
    ).split()
}


def named_in_text(lines: list[str], doc: UADocument) -> list[Individual]:
    """The people a UA is about when no label names them, ordered as the text first names them: full
    names met at least twice, a name marked "(m)" or "(f)", names listed three or more in a row, or named
    in a title that is not itself written in capitals. Not the officials written to, and not a run of
    words the text also writes in lower case (places and bodies: "Global Witness", "Legal Concern")."""
    text = "\n".join(lines)
    lower_words = set(re.findall(r"(?<![\w-])[a-zß-öø-ÿā-ž]+(?![\w-])", text))
    officials = {word.casefold() for t in doc.targets for word in t.name.split()}
    # Every mention of a name is a stretch of some run of capitalised words, so counting the stretches
    # of the runs counts the mentions, without searching the text again for each candidate.
    mentions: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    marked: set[str] = set()
    rejected: set[str] = set()
    fit: dict[str, bool] = {}
    by_sentence: dict[int, set[str]] = {}
    sentence_starts = [0] + [m.end() for m in re.finditer(r"(?<=[.!?])\s+|\n", text)]
    for m in _NAME_RUN_RE.finditer(text):
        # Split the run where a word cannot be part of a name ("Journalist Youssef Adel" keeps both
        # "Journalist Youssef Adel" and "Youssef Adel" as candidates; counting decides).
        if _ACRONYM_AFTER_RE.match(text, m.end()) or text[max(0, m.start() - 1) : m.start()] == "(":
            # "Civil Liberties Organisation (CLO)", "(Águilas Negras Bloque Capital)": a body's name.
            continue
        words = re.sub(r"[’']s$", "", m.group(1)).split()  # "Nour Haddad’s"
        sentence = bisect.bisect_right(sentence_starts, m.start()) - 1
        # A word that is never part of a name ("The", a country, a word also written in lower case) ends
        # every stretch at it, so only the stretches between such words are tried.
        fits = [fit.setdefault(w, word_fits(w, lower_words)) for w in words]
        for a in range(len(words)):
            if not fits[a]:
                continue
            for b in range(a + 2, min(len(words), a + 6) + 1):
                if not fits[b - 1]:
                    break
                name = " ".join(words[a:b])
                if name in rejected:
                    continue
                if name not in first_seen and not could_be_name(words[a:b], officials):
                    rejected.add(name)
                    continue
                mentions[name] += 1
                first_seen.setdefault(name, m.start() + len(" ".join(words[:a])))
                by_sentence.setdefault(sentence, set()).add(name)
                if a == 0 and b == len(words) and _MARKED_PERSON_RE.match(text, m.end()):
                    marked.add(name)
    # Three or more names in a row, parted by commas, semicolons or "and": a list of the people at risk.
    listed: set[str] = set()
    for sentence, names in by_sentence.items():
        end = sentence_starts[sentence + 1] if sentence + 1 < len(sentence_starts) else len(text)
        if len(names) >= 3 and len(_LIST_SEPARATOR_RE.findall(text, sentence_starts[sentence], end)) >= 2:
            listed.update(names)
    title = doc.title if not is_title_case(doc.title) else ""
    kept = [n for n in first_seen if mentions[n] >= 2 or n in marked or n in listed or n in title]
    # Of overlapping candidates the one met most often wins ("Karim al-Masri" over "Verbleib
    # Karim al-Masri"), then the longer ("Lucía Ortega Ruiz" over "Lucía Ortega").
    found: list[str] = []
    for name in sorted(kept, key=lambda n: (n not in marked, -mentions[n], -len(n))):
        if not any(name in other or other in name for other in found):
            found.append(name)
    return [Individual(name) for name in sorted(found, key=lambda n: first_seen[n])]


_LIST_SEPARATOR_RE = re.compile(r"[,;]|\band\b|\by\b|\bund\b|\bet\b")
_PARTICLE_RE = re.compile(_NAME_PARTICLE)


def word_fits(word: str, lower_words: set[str]) -> bool:
    """A word that may be part of a name: a particle, or none of a body, place or sentence, and not one
    the text also writes in lower case."""
    if _PARTICLE_RE.fullmatch(word):
        return True
    folded = word.casefold()
    return (
        folded.strip("‘'’") not in _NOT_NAME_WORDS and folded not in lower_words and not is_country_name(word)
    )


def could_be_name(words: list[str], officials: set[str]) -> bool:
    """Words that fit (word_fits) and may be a person's name: no particle at either end, no word of a
    position or a body, not the name of an official written to."""
    if _PARTICLE_RE.fullmatch(words[0]) or _PARTICLE_RE.fullmatch(words[-1]):
        return False
    name = " ".join(words)
    if _ORG_WORDS.search(name) or _POSITION_WORDS.search(name):
        return False
    return not all(w.casefold() in officials for w in words if not _PARTICLE_RE.fullmatch(w))


def is_title_case(line: str) -> bool:
    """'Detained Uighur Has Nervous Breakdown' or 'MISSING IN XINJIANG': every word capitalised."""
    words = [w for w in re.findall(r"[^\W\d_]+", line) if len(w) > 3]
    return bool(words) and all(w[0].isupper() for w in words)


# ---------------------------------------------------------------- the document as a whole


def document_language(text: str) -> str | None:
    """The language most of the text is in, by its commonest words (vocabulary.COMMON_WORDS); None when
    no language has at least six of them, or two are close."""
    counts = Counter(_WORD_RE.findall(text[:4000].casefold()))
    scores = sorted(
        ((sum(counts[w] for w in words), code) for code, words in vocabulary.COMMON_WORDS.items()),
        reverse=True,
    )
    (best, code), (second, _) = scores[0], scores[1]
    return code if best >= 6 and best >= 1.3 * second else None


def cut_off_ending(lines: list[str]) -> str | None:
    """The last words of a text cut off mid-sentence (a stored copy's end, a PDF's lost page): a long
    last line with no end to its sentence, or a bracket left open."""
    last = next((line for line in reversed(lines) if line), "")
    if re.match(r"^[^:]{2,60}:\s", last):
        return None  # "PREFERRED LANGUAGE: Portuguese, English": a label and its value, not a sentence
    unclosed = last.count("(") > last.count(")")
    if (len(last) >= 35 and len(last.split()) >= 5 and not last.endswith(_SENTENCE_END)) or unclosed:
        return " ".join(last.split()[-6:])
    return None


# ---------------------------------------------------------------- the sections, one reader each


@dataclass
class Reading:
    """What the sections leave for the call to action, read once they all are."""

    action_lines: list[str] = field(default_factory=list)
    contact_lines: list[str] = field(default_factory=list)
    demands: list[str] = field(default_factory=list)


def read_summary(doc: UADocument, section: Section, reading: Reading) -> None:
    doc.summary = doc.summary or "\n\n".join(join_wrapped([heading_value(section.heading), *section.lines]))


def read_action(doc: UADocument, section: Section, reading: Reading) -> None:
    rest = heading_rest(section.heading)
    reading.action_lines.extend([rest, *section.lines] if rest else section.lines)
    if (languages := asked_languages(section.heading)) and not doc.preferred_languages:
        doc.preferred_languages = languages
    deadline_in_heading(doc, section.heading)


def read_contacts(doc: UADocument, section: Section, reading: Reading) -> None:
    reading.contact_lines.extend(section.lines)


def read_additional_information(doc: UADocument, section: Section, reading: Reading) -> None:
    lines = [heading_value(section.heading), *(line for line in section.lines if line)]
    doc.additional_information = "\n\n".join(join_wrapped(lines))


def read_language(doc: UADocument, section: Section, reading: Reading) -> None:
    named = heading_value(section.heading) or first_text(section.lines)
    doc.preferred_languages = doc.preferred_languages or languages_in(named)


def read_deadline(doc: UADocument, section: Section, reading: Reading) -> None:
    doc.deadline = doc.deadline or parse_date(section.heading) or parse_date(first_text(section.lines))
    if re.search(r"\bTO\s*:?\s*$", section.heading, re.IGNORECASE):
        # "PLEASE TAKE ACTION BEFORE 23 SEPTEMBER TO:": the officials follow.
        reading.contact_lines.extend(section.lines)
    else:
        collect_notes(section.lines, doc)


def read_name(doc: UADocument, section: Section, reading: Reading) -> None:
    doc.individuals = parse_individuals(heading_value(section.heading) or first_text(section.lines))


def read_previous(doc: UADocument, section: Section, reading: Reading) -> None:
    for line in [heading_value(section.heading), *section.lines]:
        doc.previous_ua_urls.extend(u.rstrip(".,;") for u in _URL_RE.findall(line))


def read_additional_targets(doc: UADocument, section: Section, reading: Reading) -> None:
    doc.targets.extend(additional_targets(section.lines, doc))


def read_copies(doc: UADocument, section: Section, reading: Reading) -> None:
    doc.targets.extend(targets_from_lines(section.lines, "copy", doc))


def read_demands(doc: UADocument, section: Section, reading: Reading) -> None:
    # The demands are the list (or the one paragraph) under the label, not what follows it.
    reading.demands.extend(strip_bullet(line) for block in blocks_of(section.lines)[:1] for line in block)


# Each kind of section of vocabulary.SECTION_ORDER, and what reads it.
SECTION_READERS = {
    "summary": read_summary,
    "action": read_action,
    "contacts": read_contacts,
    "additional_information": read_additional_information,
    "language": read_language,
    "deadline": read_deadline,
    "name": read_name,
    "previous": read_previous,
    "additional_targets": read_additional_targets,
    "copies": read_copies,
    "demands": read_demands,
}


# ---------------------------------------------------------------- the parse


def parse(text: str) -> UADocument:
    """The structured draft of an Urgent Action; NotAnUrgentAction when the text is empty or not a UA."""
    if not text or not _STRAY_JOINER_RE.sub("", _ZERO_WIDTH_RE.sub("", text)).strip():
        raise NotAnUrgentAction("The document is empty: there is no text to read.")
    for cached in _LINE_CACHED:
        cached.cache_clear()
    lines = unfold(normalise_text(text))
    doc = UADocument(language=document_language(text))
    sections = split_sections(lines)
    has_marker = any(_MARKER_RE.search(line) for line in lines[:40] if line) or any(
        heading_of(line) == "action" and _WRITE_NOW_RE.search(line) for line in lines
    )

    preamble = sections[0].lines
    letter_page = not has_marker and opens_with_addressee(preamble)
    body_start = 0 if letter_page else parse_header(doc, sections, has_marker)

    reading = Reading()
    for section in sections[1:]:
        # "Date limite : 23 septembre" then "Monsieur le Ministre,": the letter has no heading of its own.
        opens = section.kind not in ("action", "summary", "additional_information")
        if opens and (opening := letter_opening(section.lines)) is not None:
            reading.action_lines.extend(section.lines[opening:])
            section = Section(section.kind, section.heading, section.lines[:opening])
        SECTION_READERS[section.kind](doc, section, reading)
    action_lines, contact_lines = reading.action_lines, reading.contact_lines
    if not action_lines and not contact_lines:
        # No call-to-action heading: the letter, if any, follows the summary in the preamble.
        action_lines = (
            addressee_as_one_block(preamble, doc)
            if letter_page
            else preamble[body_start + summary_end(preamble[body_start:]) :]
        )
    parse_action(doc, action_lines, contact_lines, letter_page=letter_page)
    if not doc.asks and reading.demands:
        doc.asks = reading.demands
    if not doc.preferred_languages:
        for line in matching_lines(_LANGUAGES_ASKED_RE, lines):
            doc.preferred_languages = languages_in(line.split(":", 1)[-1])
            if doc.preferred_languages:
                break
    if doc.deadline is None:
        for line in matching_lines(_DEADLINE_WORD_RE, lines):
            if _ACTION_WORD_RE.search(line) and (deadline := parse_date(line)):
                doc.deadline = deadline
                break
    if not doc.previous_ua_urls:
        content = [line for line in lines if line]
        for i in matching_line_numbers(_PREVIOUS_UA_RE, content):
            # The sentence naming the earlier UA may wrap onto the next line with its link.
            urls = [u.rstrip(".,;") for u in _URL_RE.findall(" ".join(content[i : i + 3]))]
            doc.previous_ua_urls.extend(u for u in urls if u not in doc.previous_ua_urls)
            if urls:
                break
    if not doc.individuals:
        # A name standing alone near the letter, if the text names them again; else the names met in it.
        text = "\n".join(lines)
        again = [n for n in doc.lone_names if text.count(n) >= 2]
        doc.individuals = [Individual(n) for n in again] or named_in_text(lines, doc)
        if doc.individuals:
            doc.warn(
                "individuals",
                "The people at risk were found by their names in the text (no NAME line): check each one.",
            )
    clear_placeholders(doc)
    if ending := cut_off_ending(lines):
        doc.warn("document", f"The text seems cut off: it ends mid-sentence (“…{ending}”). Check the source.")
    reject_if_not_ua(doc, has_marker, lines)
    add_warnings(doc)
    return doc


_LANGUAGES_ASKED_RE = re.compile(
    r"\bpreferred language|\bwrite\b.*\bin\b.*\byour own language", re.IGNORECASE
)
_DEADLINE_WORD_RE = re.compile(
    r"\b(?:" + "|".join(vocabulary.DEADLINE_WORDS.values()) + r")\b", re.IGNORECASE
)
_ACTION_WORD_RE = re.compile(r"\b(?:" + "|".join(vocabulary.ACTION_WORDS.values()) + ")", re.IGNORECASE)


def matching_line_numbers(pattern: re.Pattern, lines: list[str]):
    """The numbers of the lines the pattern finds something in, in order: one search of the whole text
    rather than one a line (the patterns must not match across a line's end)."""
    starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    last = -1
    for m in pattern.finditer("\n".join(lines)):
        number = bisect.bisect_right(starts, m.start()) - 1
        if number != last:
            last = number
            yield number


def matching_lines(pattern: re.Pattern, lines: list[str]):
    for number in matching_line_numbers(pattern, lines):
        yield lines[number]


# "Link to previous UA", "This is the first update of UA 209/13. Further information: <url>".
_PREVIOUS_UA_RE = re.compile(
    r"\b(?:previous|earlier|original|first)\s+(?:UA|urgent action)\b|\bupdate\s+(?:of|on|to)\s+UA\b|"
    r"\b(?:original|previous|earlier) (?:document|appeal)\b",
    re.IGNORECASE,
)


def heading_rest(heading: str) -> str:
    # "URGENT ACTION LETTER: Dear Minister," — text after a short label belongs to the section.
    m = re.match(r"^(?:URGENT ACTION\s+)?(?:MODEL\s+|SAMPLE\s+)?LETTER\s*:\s*(.+)$", heading, re.IGNORECASE)
    return m.group(1) if m else ""


def first_text(lines: list[str]) -> str:
    return next((line for line in lines if line), "")


def asked_languages(heading: str) -> list[str]:
    """The languages a call to write names: "in English, Spanish or your own language", "en español o en
    su propio idioma", "in English or Russian to:"."""
    m = re.search(r"\b(?:in|en|auf)\s+(.+)$", heading, re.IGNORECASE)
    return languages_in(m.group(1)) if m else []


def deadline_in_heading(doc: UADocument, heading: str) -> None:
    if doc.deadline is None and re.search(r"\b(?:before|until|by)\b", heading, re.IGNORECASE):
        doc.deadline = parse_date(heading)


def collect_notes(lines: list[str], doc: UADocument) -> None:
    for line in lines:
        if line and _DELIVERY_RE.search(line) and line not in doc.delivery_notes:
            doc.delivery_notes.append(line)


def parse_individuals(value: str) -> list[Individual]:
    value = value.strip()
    if not value:
        return []
    found = [
        Individual(m.group(1).strip(" ,;&").removeprefix("and ").strip(), m.group(2).strip())
        for m in re.finditer(r"([^,;()]+?)\s*\(([^()]*/[^()]*)\)", value)
    ]
    if found:
        return [i for i in found if i.name]
    parts = [p.strip() for p in re.split(r"\s*;\s*|\s+and\s+", value) if p.strip()]
    return [Individual(p, None) for p in parts]


# A template's slot left unfilled where a name belongs: "[Group]", "<NAME>", "{name} (pronoun)", "XXX".
_PLACEHOLDER_RE = re.compile(
    r"^(?:\s*(?:[\[<{][^\[\]<>{}]*[\]>}]|\([^()]*\)))+\s*$|^\s*(?:x{2,}|n/?a|tb[cd]|\?+|[-–—_.…]+)\s*$",
    re.IGNORECASE,
)


def is_placeholder(text: str | None) -> bool:
    """True for a template's slot rather than a name: nothing but bracketed words, or XXX, N/A, ...."""
    return bool(text) and bool(_PLACEHOLDER_RE.match(text))


def clear_placeholders(doc: UADocument) -> None:
    """A placeholder is never taken for a name: the name is left empty, for staff to fill in."""
    for n, person in enumerate(doc.individuals, 1):
        if is_placeholder(person.pronoun):
            person.pronoun = None
        if is_placeholder(person.name):
            doc.warn(
                f"individuals.{n - 1}.name",
                f"Individual {n}: “{person.name}” is a placeholder, not a name; the name is left empty: "
                "fill in the person's or the group's name.",
            )
            person.name = ""


def opens_with_addressee(lines: list[str]) -> bool:
    """A page that opens with a person's name and address (or contact lines), then "Dear ...": a letter."""
    content = [line for line in lines if line][:12]
    opening = next((i for i, line in enumerate(content) if _SALUTATION_RE.match(line)), None)
    if not opening or opening < 2:
        return False
    head = content[:opening]
    named = (
        looks_like_name(head[0]) or bool(_HONORIFIC_RE.match(head[0])) or bool(_POSITION_WORDS.match(head[0]))
    )
    return named and any(
        split_contacts(line) or _ORG_WORDS.search(line) or re.search(r"\d", line) for line in head
    )


def addressee_as_one_block(lines: list[str], doc: UADocument) -> list[str]:
    """A letter page's opening lines up to "Dear ...", as one block (web pages set blank lines between
    them), less the letter's subject, a short line of its own just before "Dear ...", which is its title
    ("Ivan Petrov", "Laila Nabil, Tarek Sami and Youssef Adel")."""
    opening = next(i for i, line in enumerate(lines) if line and _SALUTATION_RE.match(line))
    blocks = blocks_of(lines[:opening])
    if len(blocks) > 1 and is_subject_line(blocks[-1]):
        doc.title = blocks.pop()[0]
    return [line for block in blocks for line in block] + [""] + lines[opening:]


def is_subject_line(block: list[str]) -> bool:
    line = block[0]
    return (
        len(block) == 1
        and len(line) <= 120
        and not split_contacts(line)
        and not re.search(r"\d", line)
        and not _ORG_WORDS.search(line)
    )


_EARLIER_REFERENCES_RE = re.compile(
    r"^\s*(?:\([^()]*\)\s*)?(?:and\s+follow[- ]?ups?\s*(?:\([^()]*\))?\s*)?[-–—]?\s*", re.IGNORECASE
)


def ua_number_of(match: re.Match) -> str:
    return re.sub(r"\s+", "", next(g for g in match.groups() if g))


def parse_header(doc: UADocument, sections: list[Section], has_marker: bool) -> int:
    """Kind, numbers, title and summary from the preamble; returns where the preamble's body starts."""
    preamble = sections[0].lines
    # Headers of the template form ("URGENT ACTION TITLE: ...") are section-less label lines.
    header_lines = [line for line in preamble if line][:12]
    doc.kind = find_kind(header_lines, has_marker)
    # The header's number, else the first one the page gives ("let us know ... on Urgent Action 90.12").
    for text in ("\n".join(header_lines), "\n".join(line for section in sections for line in section.lines)):
        if m := _UA_NUMBER_RE.search(text):
            doc.ua_number = ua_number_of(m)
            break
    doc.index_number = find_index(header_lines)
    doc.issued_on = find_issued_on(header_lines)
    title_idx = None
    for i, line in enumerate(preamble):
        if not line:
            continue
        m = _TITLE_LABEL_RE.match(line) or _MARKED_TITLE_RE.match(line)
        if m:
            doc.title = line[m.end() :].strip()
            title_idx = i
            break
    if title_idx is None:
        for i, line in enumerate(preamble[:40]):
            m = _UA_NUMBER_RE.search(line)
            # "UA 210/91 (AFR 99/10/91, 2 May 1991) - Kenya: ...": past the earlier UA's reference.
            # "UA 77/08 (3 March 2008) and follow ups (9 May 2008)": past the follow-ups too.
            rest = _EARLIER_REFERENCES_RE.sub("", line[m.end() :]).strip(" :-–") if m else ""
            # "UA 45/96 Fear of torture / legal concern 12 June 1996 KENYA...": up to the date.
            rest = re.split(rf"\s+\d{{1,2}}\s+(?:{_MONTH_RE})\b", rest, maxsplit=1, flags=re.IGNORECASE)[0]
            # "UA 229/10 Risk of forced eviction": the headline follows the number on the same line.
            if m and len(rest.split()) >= 2 and not re.search(r"\b(?:index|date)\s*:", rest, re.IGNORECASE):
                doc.title = re.split(r"\.\s", rest, maxsplit=1)[0].strip(" .")
                title_idx = i
                break
            # "Further information on UA 77/08 (...)" alone: the headline is the short line below it.
            following = next((x for x in preamble[i + 1 : i + 3] if x), "")
            headline = following and not following.endswith(".") and len(following) <= 120
            if m and not rest and headline and not is_metadata_line(following):
                doc.title, title_idx = following, preamble.index(following, i + 1)
                break
    if title_idx is None:
        for i, line in enumerate(preamble):
            if not line or is_metadata_line(line):
                continue
            if len(line) <= 200 and not line.endswith((".", ",")) or is_upper(line):
                doc.title = strip_marker_prefix(line)
                title_idx = i
            break
    start = (title_idx + 1) if title_idx is not None else 0
    summary_lines = []
    for line in preamble[start:]:
        if line and (is_metadata_line(line) or _TITLE_LABEL_RE.match(line)):
            continue
        if line and _SALUTATION_RE.match(line):
            break
        summary_lines.append(line)
    if not doc.summary:
        kept = [
            line for line in summary_lines[: summary_end(summary_lines)] if not line or is_summary_line(line)
        ]
        doc.summary = "\n\n".join(join_wrapped(kept))
    return start


_PICTURE_RE = re.compile(
    r"©|\((?:c|photo)\)|^(?:" + "|".join(vocabulary.PICTURE_CAPTIONS.values()) + r")\b", re.IGNORECASE
)


# "IRAN Reza Karimi (m), student aged around 24", "Omar Farouk, football coach": the lines of the
# classic layout that say who is at risk, under the country's name.
_PEOPLE_LINE_RE = re.compile(
    rf"^(?:[A-Z]{{4,}}\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}\s*(?:\((?:m|f)\))?,\s+[a-z0-9]", re.UNICODE
)


@line_cache
def is_summary_line(line: str) -> bool:
    """Sentences, not the page furniture, form fields and address lines that share the preamble."""
    if _PICTURE_RE.search(line):
        # A photo's caption, credit or alternative text on a web page.
        return False
    if _PEOPLE_LINE_RE.match(line) and len(line) < 120 and not line.endswith("."):
        return False
    return (len(line) >= 40 and not split_contacts(line)) or (line.endswith(".") and len(line.split()) >= 4)


def is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def strip_marker_prefix(line: str) -> str:
    return re.sub(r"^URGENT ACTION\s*[:\-–]\s*", "", line, flags=re.IGNORECASE)


def summary_end(lines: list[str]) -> int:
    """Where the summary stops in a preamble with no headings: at the first contact block or letter."""
    for i, line in enumerate(lines):
        starts_block = line and (i == 0 or not lines[i - 1])
        if (
            starts_block
            and (looks_like_name(line) or _POSITION_WORDS.match(line))
            and i + 1 < len(lines)
            and lines[i + 1]
        ):
            return i
        if line and (_SALUTATION_RE.match(line) or split_contacts(line)):
            # Walk back over the name/title/address lines of that block.
            j = i
            while j > 0 and lines[j - 1]:
                j -= 1
            return j
    return len(lines)


def parse_action(
    doc: UADocument, action_lines: list[str], contact_lines: list[str], *, letter_page: bool = False
) -> None:
    """The call to action: contact blocks of the primary targets, then (or else) the model letter."""
    letter_start = None
    for i, line in enumerate(action_lines):
        if (
            line
            and _SALUTATION_RE.match(line)
            and not line.lower().startswith("salutation")
            and looks_like_opening(action_lines, i)
        ):
            letter_start = i
            break
    before = action_lines if letter_start is None else action_lines[:letter_start]
    points: list[str] = []
    if letter_start is None:
        points, before = points_to_make(before)
    primaries = targets_from_lines(before, "primary", doc)
    primaries.extend(targets_from_lines(contact_lines, "primary", doc))
    asks: list[str] = []
    if letter_start is not None:
        salutation = clean_salutation(action_lines[letter_start])
        body_lines: list[str] = []
        closing = None
        after: list[str] = []
        for j, line in enumerate(action_lines[letter_start + 1 :], start=letter_start + 1):
            if _CLOSING_RE.match(line):
                closing = line
                after = action_lines[j + 1 :]
                break
            body_lines.append(line)
        paragraphs = letter_paragraphs(body_lines)
        doc.model_letter = ModelLetter(salutation, "\n\n".join(paragraphs), closing)
        asks = asks_from(paragraphs, whole_sentences=letter_page)
        if after:
            primaries.extend(targets_from_lines(after, "primary", doc))
        # A letter to several officials greets them in turn ("Dear Attorney General / Your Excellency");
        # one who has no salutation of their own is greeted as the letter greets.
        # The letter's greeting belongs to one official already when one has it as their own.
        greetings = [g.strip() for g in salutation.split(" / ")]
        owned = {t.salutation.casefold() for t in primaries if t.salutation}
        for n, target in enumerate(primaries if not owned & {g.casefold() for g in greetings} else []):
            if target.salutation is None:
                target.salutation = greetings[n] if len(greetings) == len(primaries) else salutation
    else:
        # No letter: older UAs list the demands as points to make in appeals.
        asks = points
    doc.asks = [a for a in asks if a]
    doc.targets[:0] = primaries
    collect_notes(action_lines, doc)


def points_to_make(lines: list[str]) -> tuple[list[str], list[str]]:
    """The points to make in appeals, a list whose items wrap onto lines of their own, and the lines
    left around it (the officials to write to, which may follow the last point with no blank line)."""
    points: list[str] = []
    rest: list[str] = []
    in_list = False
    for line in lines:
        if is_bullet(line) and not split_contacts(strip_bullet(line)):
            points.append(strip_bullet(line))
            in_list = True
        elif in_list and line[:1].islower() and not points[-1].endswith((".", ";")):
            points[-1] += " " + line  # the item goes on, as a PDF wraps it
        else:
            in_list = in_list and not line
            rest.append(line)
    return points, rest


def letter_opening(lines: list[str]) -> int | None:
    """Where a letter opens in these lines ("Dear Minister," and prose after it), if it does."""
    for i, line in enumerate(lines):
        if line and _SALUTATION_RE.match(line) and contact_free(line) and looks_like_opening(lines, i):
            return i
    return None


def contact_free(line: str) -> bool:
    return not split_contacts(line) and not line.casefold().startswith("salutation")


def looks_like_opening(lines: list[str], i: int) -> bool:
    """A salutation that opens a letter is followed by prose, not by more contact lines."""
    for line in lines[i + 1 : i + 6]:
        if not line:
            continue
        return len(line) > 60 or not (split_contacts(line) or looks_like_name(line))
    return False


def reject_if_not_ua(doc: UADocument, has_marker: bool, lines: list[str]) -> None:
    """Only a document with no sign of a UA at all is refused: a letter page, a closing note or a page
    cut before its letter still gives a draft, with a warning for each field it lacks."""
    # The words "urgent action" alone are no sign (a council's notice may use them), nor is a letter
    # alone (a note between friends opens with "Dear"): a letter asks something, or names someone to write to.
    signs = (
        doc.ua_number
        or doc.index_number
        or doc.targets
        or (doc.asks and (has_marker or doc.model_letter is not None))
    )
    if not signs:
        raise NotAnUrgentAction(
            "This does not look like an Urgent Action: no 'Urgent Action' marking, no UA number, "
            "no one to write to and no letter."
        )


# Parts of an address run on one line apart (Latin, Arabic and CJK commas); a name holds none.
_ADDRESS_PART_RE = re.compile(r"[,،，、]")
# A line of a Chinese or Japanese address ends in its unit: province, city, district, road, number...
_CJK_PLACE_END_RE = re.compile(r"[省市区區县縣州路街道号號巷村镇鎮都府町丁目]$")


def names_addressee(native_lines: list[str]) -> bool:
    """Whether a native-script address holds a line for the addressee: a line with no number, no
    parts set apart by commas and no place's ending, that is not the country; or words set apart
    after the last number ("...479号 习近平 收")."""
    for line in native_lines:
        if not re.search(r"\d", line):
            if not (_ADDRESS_PART_RE.search(line) or _CJK_PLACE_END_RE.search(line) or is_country_name(line)):
                return True
            continue
        tail = re.split(r"\d", line)[-1]
        # A word joined to the number is part of it: "479号", "12b".
        words = tail.split()[0 if tail[:1].isspace() else 1 :]
        if any(c.isalpha() for word in words for c in word):
            return True
    return False


def add_warnings(doc: UADocument) -> None:
    w = doc.warn
    if not doc.title:
        w("title", "No title found under URGENT ACTION.")
    if not doc.summary:
        w("summary", "No summary paragraph found before the call to action.")
    if not doc.individuals:
        w("individuals", "No individuals found (no NAME AND PREFERRED PRONOUN line).")
    if not any(t.role == "primary" for t in doc.targets):
        w("targets", "No primary target found (the official the letter is addressed to).")
    for n, t in enumerate(doc.targets):
        if t.role != "primary":
            continue
        if not t.address_lines:
            w(f"targets.{n}.address_lines", f"Target {t.name}: no postal address found.")
        if t.country is None:
            w(f"targets.{n}.country", f"Target {t.name}: could not tell the country from the address.")
        if not t.salutation:
            w(f"targets.{n}.salutation", f"Target {t.name}: no salutation found.")
        if t.native_address_lines and not t.native_language:
            w(
                f"targets.{n}.native_language",
                f"Target {t.name}: could not tell the language of the native-script address.",
            )
    for n, t in enumerate(doc.targets):
        if t.native_address_lines and not names_addressee(t.native_address_lines):
            w(
                f"targets.{n}.native_address_lines",
                f"Target {t.name}: the native-script address has no line with the addressee's name; "
                "add their name in that script, so the envelope carries it.",
            )
    if doc.model_letter is None:
        w("model_letter", "No model letter found (no 'Dear ...' opening).")
    elif not doc.model_letter.closing:
        w("model_letter.closing", "The model letter has no closing line such as 'Yours sincerely'.")
    if not doc.asks:
        w("asks", "No asks found (no list after 'I urge you to' or equivalent).")
    if not doc.preferred_languages:
        w("preferred_languages", "No preferred language found (PREFERRED LANGUAGE TO ADDRESS TARGET).")
    if doc.deadline is None:
        w("deadline", "No deadline found (PLEASE TAKE ACTION ... UNTIL).")
    if doc.kind == "unknown":
        w("kind", "Could not tell whether this is a new Urgent Action, an update or further information.")
