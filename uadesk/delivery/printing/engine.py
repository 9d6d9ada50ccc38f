"""Typst as the print channel's typesetter: the Noto fonts, a compiler per font folder, data in, PDF out."""

import datetime
import json
import os
import re
import threading
from pathlib import Path

import typst

from uadesk.writing import direction

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_FONT_DIR = Path(__file__).resolve().parents[3] / "data" / "fonts"

# Noto families by script, in the order Typst tries them for a character no earlier family has.
# Noto Sans covers Latin (with every diacritic), Greek and Cyrillic.
SCRIPT_FAMILIES = [
    "Noto Sans Arabic",  # Arabic, Persian, Urdu, Uyghur, Pashto, Kurdish (Sorani)
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
    "Noto Sans Bengali",
    "Noto Sans Tamil",
    "Noto Sans Sinhala",
    "Noto Sans Myanmar",
    "Noto Sans Khmer",
    "Noto Sans Lao",
    "Noto Sans Ethiopic",
    "Noto Sans Georgian",
    "Noto Sans Armenian",
    "Noto Sans Gujarati",
    "Noto Sans Gurmukhi",
    "Noto Sans Kannada",
    "Noto Sans Malayalam",
    "Noto Sans Oriya",
    "Noto Sans Telugu",
]
# Han characters look different in each region; the collection has the right forms for each.
CJK_FAMILIES = {"SC": "Noto Sans CJK SC", "TC": "Noto Sans CJK TC", "HK": "Noto Sans CJK HK",
                "JP": "Noto Sans CJK JP", "KR": "Noto Sans CJK KR"}  # fmt: skip
REQUIRED_FAMILIES = {"Noto Sans", *SCRIPT_FAMILIES, *CJK_FAMILIES.values()}

_BCP47 = re.compile(
    r"^(?P<lang>[a-z]{2,3})(?:-(?P<script>[a-z]{4}))?(?:-(?P<region>[a-z]{2}|\d{3}))?(?:-.*)?$"
)


class EngineError(Exception):
    """Typst could not set the document, or could not find its fonts."""


class Language:
    """A BCP 47 tag read for typesetting: Typst's language and region, and the font order for it."""

    def __init__(self, tag: str):
        match = _BCP47.match((tag or "").strip().lower().replace("_", "-"))
        if not match:
            raise ValueError(f"“{tag}” is not a language tag such as en, zh-Hant or pt-BR")
        self.lang = match["lang"]
        region = match["region"]
        self.region = region if region and region.isalpha() else None
        self.script = match["script"]
        # Ours, not Typst's guess from `lang` (which has Punjabi right to left, Sorani left to right);
        # None for "und": the text's own letters decide.
        self.direction = direction(f"{self.lang}-{self.script}" if self.script else self.lang)

    @property
    def cjk(self) -> str:
        if self.lang == "ja":
            return CJK_FAMILIES["JP"]
        if self.lang == "ko":
            return CJK_FAMILIES["KR"]
        if self.lang in {"zh", "yue"}:
            if self.region == "hk":
                return CJK_FAMILIES["HK"]
            if self.script == "hant" or self.region in {"tw", "mo"}:
                return CJK_FAMILIES["TC"]
        return CJK_FAMILIES["SC"]

    @property
    def fonts(self) -> list[str]:
        # Chinese, Japanese and Korean text takes its punctuation and figures from the CJK face too.
        if self.lang in {"zh", "yue", "ja", "ko"}:
            return [self.cjk, "Noto Sans", *SCRIPT_FAMILIES]
        return ["Noto Sans", *SCRIPT_FAMILIES, self.cjk]

    def as_data(self, direction: str | None = None) -> dict:
        """For `in-language` in common.typ; `direction` ("ltr", "rtl") overrides the language's own."""
        return {
            "lang": self.lang,
            "region": self.region,
            "fonts": self.fonts,
            "dir": direction or self.direction,
        }


def font_dir(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit or os.environ.get("UADESK_FONT_DIR") or DEFAULT_FONT_DIR)


_compilers: dict[Path, tuple[typst.Compiler, threading.Lock]] = {}
_compilers_lock = threading.Lock()


def _compiler(fonts: Path) -> tuple[typst.Compiler, threading.Lock]:
    # Reading the font folder costs more than setting a letter: do it once per process and folder.
    key = fonts.resolve()
    with _compilers_lock:
        if key not in _compilers:
            found = typst.Fonts(
                include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(key)]
            )
            absent = sorted(REQUIRED_FAMILIES - set(found.families()))
            if absent:
                raise EngineError(
                    f"the Noto fonts are missing from {key} ({', '.join(absent[:3])}"
                    f"{', …' if len(absent) > 3 else ''}): run scripts/install-fonts"
                )
            _compilers[key] = (typst.Compiler(root=str(TEMPLATES), font_paths=found), threading.Lock())
        return _compilers[key]


def render(template: str, data: dict, *, fonts: Path, timestamp: datetime.datetime | None = None) -> bytes:
    """Sets templates/<template>.typ with `data`, which the template reads as JSON: never as markup."""
    compiler, lock = _compiler(fonts)
    payload = json.dumps(data, ensure_ascii=False)
    with lock:  # one compiler holds one document's state at a time
        try:
            pdf = compiler.compile(
                input=str(TEMPLATES / f"{template}.typ"),
                format="pdf",
                sys_inputs={"data": payload},
                timestamp=timestamp,
            )
        except typst.TypstError as error:
            raise EngineError(f"Typst could not set the {template}: {error.message}") from error
    if not isinstance(pdf, bytes):
        raise EngineError(f"Typst returned no PDF for the {template}")
    return pdf
