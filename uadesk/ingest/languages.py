"""Language names to BCP 47 codes, and the language of a native-script address from its script and country."""

import re
import unicodedata

# English names of languages (and a few common endonyms) as Urgent Actions write them.
_LANGUAGE_TABLE = """
af Afrikaans
sq Albanian
am Amharic
ar Arabic|Modern Standard Arabic
hy Armenian
az Azerbaijani|Azeri
eu Basque
be Belarusian|Belarussian
bn Bengali|Bangla
bs Bosnian
bg Bulgarian
my Burmese|Myanmar
ca Catalan
zh Chinese|Mandarin|Mandarin Chinese|Standard Chinese
zh-Hans Simplified Chinese
zh-Hant Traditional Chinese
yue Cantonese
hr Croatian
cs Czech
da Danish
prs Dari
nl Dutch|Flemish
dz Dzongkha
en English
et Estonian
fil Filipino|Tagalog
fi Finnish
fr French|Français
ka Georgian
de German|Deutsch
el Greek
gn Guarani|Guaraní
gu Gujarati
ht Haitian Creole|Creole|Kreyòl
ha Hausa
he Hebrew
hi Hindi
hu Hungarian
is Icelandic
ig Igbo
id Indonesian|Bahasa Indonesia
ga Irish
it Italian
ja Japanese
kk Kazakh
km Khmer|Cambodian
rw Kinyarwanda
ko Korean
ku Kurdish
ckb Sorani|Central Kurdish
kmr Kurmanji
ky Kyrgyz|Kirghiz
lo Lao|Laotian
lv Latvian
lt Lithuanian
mk Macedonian
mg Malagasy
ms Malay|Bahasa Malaysia|Bahasa Melayu
ml Malayalam
mt Maltese
mn Mongolian
ne Nepali|Nepalese
nb Norwegian|Norwegian Bokmål
ps Pashto|Pashtu
fa Persian|Farsi
pl Polish
pt Portuguese|Português
pa Punjabi
qu Quechua
ro Romanian
ru Russian
sr Serbian
si Sinhala|Sinhalese
sk Slovak
sl Slovenian|Slovene
so Somali
es Spanish|Castilian|Español
sw Swahili|Kiswahili
sv Swedish
tg Tajik
ta Tamil
tt Tatar
te Telugu
th Thai
bo Tibetan
ti Tigrinya
tr Turkish
tk Turkmen
uk Ukrainian
ur Urdu
ug Uyghur|Uighur
uz Uzbek
vi Vietnamese
cy Welsh
wo Wolof
yo Yoruba
zu Zulu
"""


def _load(table: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for line in table.strip().splitlines():
        code, _, rest = line.partition(" ")
        for name in rest.split("|"):
            names[name.strip().casefold()] = code
    return names


LANGUAGE_NAMES: dict[str, str] = _load(_LANGUAGE_TABLE)
_LANGUAGE_RE = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(n) for n in sorted(LANGUAGE_NAMES, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)


def language_code(name: str) -> str | None:
    """The BCP 47 code of a language name such as 'Chinese' or 'Farsi', or None."""
    return LANGUAGE_NAMES.get(name.strip().casefold())


def languages_in(text: str) -> list[str]:
    """The codes of the languages named in `text`, in the order written, without repeats."""
    codes: list[str] = []
    for m in _LANGUAGE_RE.finditer(text):
        code = LANGUAGE_NAMES[m.group(1).casefold()]
        if code not in codes:
            codes.append(code)
    return codes


# Script (first word of the Unicode character name) -> language, before the country refines it.
_SCRIPT_DEFAULT = {
    "CJK": "zh",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "HANGUL": "ko",
    "ARABIC": "ar",
    "CYRILLIC": "ru",
    "HEBREW": "he",
    "THAI": "th",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
    "GREEK": "el",
    "DEVANAGARI": "hi",
    "BENGALI": "bn",
    "TAMIL": "ta",
    "TELUGU": "te",
    "GUJARATI": "gu",
    "GURMUKHI": "pa",
    "MALAYALAM": "ml",
    "SINHALA": "si",
    "MYANMAR": "my",
    "KHMER": "km",
    "LAO": "lo",
    "ETHIOPIC": "am",
    "TIBETAN": "bo",
    "MONGOLIAN": "mn",
}
# Where one script serves several languages, the country's own language.
_SCRIPT_BY_COUNTRY = {
    "ARABIC": {"IR": "fa", "AF": "fa", "PK": "ur", "CN": "ug"},
    "CYRILLIC": {
        "UA": "uk",
        "BY": "be",
        "BG": "bg",
        "RS": "sr",
        "MK": "mk",
        "KZ": "kk",
        "KG": "ky",
        "TJ": "tg",
        "MN": "mn",
        "ME": "sr",
        "BA": "sr",
    },
    "ETHIOPIC": {"ER": "ti"},
    "DEVANAGARI": {"NP": "ne"},
    "TAMIL": {"LK": "ta"},
}
_PERSIAN_LETTERS = set("پچژگ")


def script_of(text: str) -> str | None:
    """The commonest non-Latin script among the letters of `text`; None if all Latin or no letters."""
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha() or ch.isascii():
            continue
        script = unicodedata.name(ch, "?").split(" ")[0]
        if script == "LATIN":
            continue
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    return max(counts, key=counts.__getitem__)


def is_native_script(line: str) -> bool:
    """True when most letters of the line are in a non-Latin script."""
    if line.isascii():
        return False  # most lines: no need to look at each letter
    letters = [c for c in line if c.isalpha()]
    if not letters:
        return False
    non_latin = sum(1 for c in letters if not c.isascii() and "LATIN" not in unicodedata.name(c, "LATIN"))
    return non_latin * 2 >= len(letters)


def native_language(text: str, country: str | None) -> str | None:
    """The BCP 47 code of native-script text, from its script and the country it is addressed to."""
    script = script_of(text)
    if script is None:
        return None
    if script == "CJK" and any(unicodedata.name(c, "").startswith(("HIRAGANA", "KATAKANA")) for c in text):
        return "ja"
    if script == "CJK" and any(unicodedata.name(c, "").startswith("HANGUL") for c in text):
        return "ko"
    by_country = _SCRIPT_BY_COUNTRY.get(script, {})
    if country in by_country:
        return by_country[country]
    if script == "ARABIC" and _PERSIAN_LETTERS & set(text):
        return "fa"
    return _SCRIPT_DEFAULT.get(script)
