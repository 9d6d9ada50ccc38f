"""Countries a supporter lives in: chosen from a list named in the reader's language (phonenumbers' data),
kept as their ISO 3166-1 alpha-2 code."""

import functools

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from phonenumbers.geodata.locale import LOCALE_DATA

# Regions phonenumbers knows that are not countries a signer lives in.
_NOT_COUNTRIES = {"001", "AC", "TA"}


def _name(code: str, language: str) -> str:
    names = LOCALE_DATA.get(code, {})
    name = names.get(language, "") or names.get("aa", code)
    # The data shares names between languages: "*xx" means "the same as language xx".
    for _step in range(3):
        if not name.startswith("*"):
            return name or code
        name = names.get(name[1:], "")
    return names.get("aa", "") if not names.get("aa", "*").startswith("*") else code


@functools.cache
def country_choices(language: str) -> tuple[tuple[str, str], ...]:
    base = (language or "en").split("-")[0].lower()
    choices = [
        (code, _name(code, base)) for code in LOCALE_DATA if code not in _NOT_COUNTRIES and len(code) == 2
    ]
    return tuple(sorted(choices, key=lambda choice: choice[1].casefold()))


@functools.cache
def country_codes() -> frozenset[str]:
    return frozenset(code for code, _ in country_choices("en"))


def country_name(code: str, language: str = "en") -> str:
    """The country's name in that language (else in English); "" for no code or one not a country."""
    return _name(code, (language or "en").split("-")[0].lower()) if code in country_codes() else ""


class CountryField(forms.ChoiceField):
    """A country's code, checked against the set of codes whatever the case it comes in ("fr" is FR);
    the 250 named choices are built only for a page that shows them (with_choices)."""

    def to_python(self, value) -> str:
        return super().to_python(value).strip().upper()

    def valid_value(self, value) -> bool:
        return value in country_codes()

    def with_choices(self) -> "CountryField":
        """Names the countries in the reader's language, for the page (the form itself needs only codes)."""
        self.choices = [("", _("Choose your country")), *country_choices(get_language() or "en")]
        return self
