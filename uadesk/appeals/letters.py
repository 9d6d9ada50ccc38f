"""The supporter's letter: prefilled from the model letter, and rendered as plain text and as HTML."""

import re

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
