"""The supporter's letter: prefilled from the model letter, and rendered as plain text and as HTML."""

import re
import unicodedata

from django.utils.html import escape, linebreaks

from uadesk.writing import ARABIC_COMMA, comma


def letter_prefill(
    *, salutation: str, model_body: str, model_closing: str, name: str, town: str, language: str = ""
) -> str:
    """The whole letter as first shown: salutation, the model letter, closing, name and town. Each
    comma is that of the words it follows: "،" after Arabic, Persian, Urdu… ("سيادة الرئيس،",
    "أحمد علي، القاهرة"), "," after Latin letters, whatever the letter's `language`."""
    salutation = salutation.strip().rstrip(":," + ARABIC_COMMA)
    name, town = name.strip(), town.strip()
    signature = f"{comma(name, language)} ".join(part for part in (name, town) if part)
    parts = [
        f"{salutation}{comma(salutation, language)}" if salutation else "",
        model_body.strip(),
        model_closing.strip() or "",
        signature,
    ]
    return "\n\n".join(part for part in parts if part)


# Thai and Lao write some vowels before the consonant they follow in speech: a name's initial is that
# consonant ("เกศินี" -> "ก").
_LEADING_VOWELS = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")


def _first_letter(word: str) -> str:
    """The word's first letter with the marks that sit on it ("Å" decomposed, a Devanagari vowel sign),
    past any punctuation before it ("(Ada", "'Ali"); "" for a word with no letter or digit."""
    for i, char in enumerate(word):
        if unicodedata.category(char)[0] not in "LN" or char in _LEADING_VOWELS:
            continue
        end = i + 1
        while end < len(word) and unicodedata.category(word[end]) in ("Mn", "Mc", "Me"):
            end += 1
        # A virama joins the letter to the next one: alone it would print half a letter ("क्" of "क्ष").
        while end > i + 1 and unicodedata.combining(word[end - 1]) == 9:
            end -= 1
        letter = word[i:end]
        # Upper case where the script has it, unless that takes more letters ("ß" -> "SS").
        return letter.upper() if len(letter.upper()) == len(letter) else letter
    return ""


def _is_cased(letter: str) -> bool:
    return letter[:1].lower() != letter[:1].upper()


def initials(name: str) -> str:
    """A name as its initials, for a writer at risk: "Ada Lovelace" -> "A. L.", "jean-pierre dupont" ->
    "J.-P. D.". A script with capitals writes a full stop after each; one without (Chinese, Arabic,
    Hebrew, Thai…) writes the letters alone, and a name without spaces in it ("王小明", "محمد") is its
    first character, since the parts of such a name cannot be told apart."""
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    words = []
    for word in name.split(" "):
        parts = [letter for part in word.split("-") if (letter := _first_letter(part))]
        if not parts:
            continue
        if all(_is_cased(p) for p in parts):
            words.append("-".join(f"{p}." for p in parts))
        else:
            words.append("-".join(parts))
    return " ".join(words)


def letter_clean(text: str) -> str:
    """Line endings unified, trailing spaces gone: the preview and the sent letter are byte for byte alike."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def letter_html(text: str) -> str:
    """The letter as HTML paragraphs; the supporter's text is escaped, never markup."""
    return linebreaks(escape(text))


LINK_RE = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)


def letter_has_link(text: str) -> bool:
    return bool(LINK_RE.search(text))
