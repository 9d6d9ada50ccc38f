"""How text is written: in which language (by its script, then its commonest small words), which way
it runs, and with which comma.

Pages, paper and the document reader all ask, so this module needs no Django: the print channel,
which knows none, uses it.
"""

import re
import unicodedata
from collections import Counter

# Languages written right to left in their usual script. Django's LANG_INFO agrees for every code it
# marks bidi (ar, ckb, fa, he, ug, ur) but one: it marks Azerbaijani (az) bidi, which Azerbaijan writes
# in Latin letters, so an Azerbaijani letter or address would run the wrong way there.
RIGHT_TO_LEFT = frozenset(
    {
        "ar",  # Arabic
        "arc",  # Aramaic
        "ckb",  # Kurdish (Sorani)
        "dv",  # Dhivehi
        "fa",  # Persian
        "he",  # Hebrew
        "ks",  # Kashmiri, in its Perso-Arabic script
        "prs",  # Dari
        "ps",  # Pashto
        "sd",  # Sindhi
        "syr",  # Syriac
        "ug",  # Uyghur
        "ur",  # Urdu
        "yi",  # Yiddish
    }
)
# An explicit script subtag decides over the language (az-Arab, ku-Arab, pa-Arab run right to left;
# ks-Deva left to right).
RIGHT_TO_LEFT_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg", "mand", "samr"})
# Languages that write the Arabic comma (،) between words where Latin scripts write ",".
ARABIC_COMMA_LANGUAGES = frozenset({"ar", "ckb", "fa", "ks", "prs", "ps", "sd", "ug", "ur"})
ARABIC_COMMA = "\u060c"

_TAG = re.compile(r"^([a-z]{2,3})(?:-([a-z]{4}))?(?:-|$)")


def _parts(code: str | None) -> tuple[str, str | None] | None:
    match = _TAG.match((code or "").strip().lower().replace("_", "-"))
    if not match or match[1] == "und":
        return None
    return match[1], match[2]


def direction(code: str | None) -> str | None:
    """ "rtl" or "ltr" for a BCP 47 code such as "ar", "fa-IR" or "az-Arab"; None when the code names
    no language ("", "und", "own"): the text must then show its own direction (dir="auto")."""
    parts = _parts(code)
    if parts is None:
        return None
    language, script = parts
    if script:
        return "rtl" if script in RIGHT_TO_LEFT_SCRIPTS else "ltr"
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def _strong(text: str):
    """The bidi class of each letter that has a direction of its own ("L", "R" or "AL"), in order."""
    return (kind for kind in map(unicodedata.bidirectional, text) if kind in ("L", "R", "AL"))


def text_direction(text: str) -> str | None:
    """The direction of a text of unknown language, from its first letter that has one (as the
    browser's dir="auto" does): "rtl" for Arabic, Hebrew…, "ltr" for Latin, Chinese…, None for none."""
    first = next(_strong(text), None)
    return None if first is None else "ltr" if first == "L" else "rtl"


def paragraph_direction(text: str, way: str) -> str:
    """The direction of a paragraph in a text that runs `way`: that way, unless the paragraph holds
    no letter that runs it (an English salutation in an Arabic letter), then the other."""
    kinds = set(_strong(text))
    runs_its_way = "L" in kinds if way == "ltr" else bool(kinds & {"R", "AL"})
    if runs_its_way or not kinds:
        return way
    return "rtl" if way == "ltr" else "ltr"


def comma(text: str, language: str | None = None) -> str:
    """The comma that follows `text` in a letter: "،" after Arabic letters (Arabic, Persian, Urdu…),
    "," after Latin, Hebrew, Cyrillic…; for text without letters, the comma of the letter's language."""
    first = next(_strong(text), None)
    if first is not None:
        return ARABIC_COMMA if first == "AL" else ","
    parts = _parts(language)
    if parts is not None and parts[0] in ARABIC_COMMA_LANGUAGES and parts[1] in (None, "arab"):
        return ARABIC_COMMA
    return ","


# Short, frequent words that tell these languages apart in a letter to an official.
_STOPWORDS = {
    "en": "the and of to that in is are you we for their be with this have not urge release".split(),
    "fr": "le la les et des du que vous nous pour une est sont dans leur ne pas libérer".split(),
    "es": "el la los las y de que usted para una es están en su sus por con liberar".split(),
    "de": "der die das und zu den ist sie wir für nicht mit dass ihre eine freizulassen".split(),
    "pt": "o a os as e de que para uma é são em seu sua não com libertar".split(),
    "it": "il la le e di che per una è sono in suo sua non con gli rilasciare".split(),
    "nl": "de het en van een dat is zijn voor niet met u wij hun vrij".split(),
}
# Scripts that name their language outright, by the first word of the Unicode character name.
_SCRIPTS = {"CJK": "zh", "ARABIC": "ar", "CYRILLIC": "ru", "HEBREW": "he", "THAI": "th", "DEVANAGARI": "hi"}
# Letters only Persian uses among Arabic-script languages.
_PERSIAN = set("پچژگ")


def text_language(text: str, default: str = "en") -> str:
    """A BCP 47 code for the language of a text (a model letter, a case); `default` when it gives no sign."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return default
    scripts = Counter(unicodedata.name(c, "?").split(" ")[0] for c in letters)
    script, count = scripts.most_common(1)[0]
    if script in _SCRIPTS and count > len(letters) / 2:
        language = _SCRIPTS[script]
        if language == "ar" and _PERSIAN & set(text):
            return "fa"
        return language
    words = Counter(re.findall(r"\w+", text.casefold()))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else default


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def sentence_case(title: str, context: str = "") -> str:
    """A title written in capitals ("MISSING AND ARBITRARILY DETAINED IN XINJIANG"), as a sentence, for
    an email's subject: the first word capitalised, the others in small letters, except a word that the
    context writes with a capital inside a sentence (a name: "Xinjiang"), which keeps that form, and an
    acronym the context writes in capitals (UN). A title not in capitals is left as it is."""
    letters = [c for c in title if c.isalpha()]
    if not letters or any(c.islower() for c in letters):
        return title.strip()
    # How the context writes each word, where not at the start of a sentence.
    written: dict[str, str] = {}
    for match in _WORD.finditer(context):
        word, before = match.group(), context[: match.start()].rstrip()
        if before and before[-1] not in ".!?:\n" and word[0].isupper():
            written.setdefault(word.casefold(), word)

    def cased(match: re.Match) -> str:
        word = match.group()
        if (known := written.get(word.casefold())) is not None:
            return known
        return word.lower()

    text = _WORD.sub(cased, " ".join(title.split()))
    return text[:1].upper() + text[1:]
