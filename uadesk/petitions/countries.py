"""Countries to choose from when signing, named in the reader's language (from phonenumbers' data)."""

import functools

from phonenumbers.geodata.locale import LOCALE_DATA

# Regions phonenumbers knows that are not countries a signer lives in.
_NOT_COUNTRIES = {"001", "AC", "TA"}


def _name(code: str, language: str) -> str:
    names = LOCALE_DATA.get(code, {})
    name = names.get(language, "") or names.get("aa", code)
    # The data shares names between languages: "*xx" means "the same as language xx".
    for _ in range(3):
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
