"""Template helpers for action pages: language names, text marked with its language, mailto links."""

from urllib.parse import quote

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from uadesk.writing import direction

register = template.Library()

# Django names "zh-hans" and "zh-hant" but not the bare codes that UAs use.
_NAMES = {"zh": _("Chinese"), "pt": _("Portuguese"), "sr": _("Serbian")}


@register.filter
def language_name(code: str) -> str:
    """The language's name in the reader's language, or the code itself if unknown."""
    code = (code or "").strip()
    if code.lower() in _NAMES:
        return str(_NAMES[code.lower()])
    try:
        return get_language_info(code.lower())["name_translated"]
    except KeyError:
        return code


# The bare codes' names in their own language, as a list of languages to read in shows them.
_OWN_NAMES = {"zh": "中文", "pt": "Português", "sr": "Српски"}


@register.filter
def language_own_name(code: str) -> str:
    """The language's name in itself ("Français", "العربيّة"), which its reader finds whatever the page's
    language; the name in the page's language when Django does not know it."""
    code = (code or "").strip().lower()
    if code in _OWN_NAMES:
        return _OWN_NAMES[code]
    try:
        return get_language_info(code)["name_local"]
    except KeyError:
        try:
            return get_language_info(code.split("-")[0])["name_local"]
        except KeyError:
            return language_name(code)


@register.simple_tag
def language_attrs(code: str | None) -> str:
    """` lang="xx" dir="ltr|rtl"` for text written in that language, to put in its element's tag: the
    browser then lays it out in its own direction whatever the page's, and reads it in its own voice.
    Text of no known language (a supporter's own, "und") gets ` dir="auto"`: its first letters decide.

        <div class="summary"{% language_attrs action.case_language %}>…</div>
    """
    way = direction(code)
    if way is None:
        return mark_safe(' dir="auto"')  # noqa: S308 (a constant)
    return format_html(' lang="{}" dir="{}"', code.strip(), way)


@register.simple_tag
def mailto(address: str, subject: str, body: str) -> str:
    """A mailto: link that opens the supporter's own mail app with the letter filled in."""
    return f"mailto:{quote(address, safe='@')}?subject={quote(subject)}&body={quote(body)}"


@register.filter
def days_left(action, today):
    return action.days_left(today)
