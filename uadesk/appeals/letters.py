"""The supporter's letter: prefilled from the model letter, and rendered as plain text and as HTML."""

import re

from django.utils.html import escape, linebreaks


def letter_prefill(*, salutation: str, model_body: str, model_closing: str, name: str, town: str) -> str:
    """The whole letter as first shown: salutation, the model letter, closing, name and town."""
    signature = ", ".join(part for part in (name.strip(), town.strip()) if part)
    parts = [
        f"{salutation.strip().rstrip(':,')}," if salutation.strip() else "",
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
