"""The interface is complete in every language the desk offers: catalogs current, every string translated,
every placeholder kept, and the compiled catalogs the same as their sources."""

import gettext
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "uadesk" / "locale"
# Django's locale names: "zh-hans" is written "zh_Hans" on disk, "zh-hant" "zh_Hant".
CATALOGS = {
    code: LOCALE / code.replace("-hans", "_Hans").replace("-hant", "_Hant") / "LC_MESSAGES"
    for code, _ in settings.LANGUAGES
}
TRANSLATED = [code for code in CATALOGS if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>")


def catalog(code: str) -> polib.POFile:
    return polib.pofile(str(CATALOGS[code] / "django.po"))


def key(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def test_the_desk_offers_english_chinese_in_both_scripts_arabic_spanish_french_german_and_portuguese():
    assert set(CATALOGS) == {"en", "zh-hans", "zh-hant", "ar", "es", "fr", "de", "pt"}


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_string_is_translated_with_its_placeholders(code):
    po = catalog(code)
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()][:10]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()][:10]
    plurals = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    wrong = []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            assert sorted(forms) == list(range(plurals)), entry.msgid
            pairs = [(entry.msgid_plural, forms[i]) for i in range(plurals)]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        wrong += [
            (src, out)
            for src, out in pairs
            if sorted(PLACEHOLDER.findall(src)) != sorted(PLACEHOLDER.findall(out))
        ]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalog_says_what_its_source_says(code):
    with open(CATALOGS[code] / "django.mo", "rb") as compiled:
        table = gettext.GNUTranslations(compiled)._catalog
    for entry in catalog(code).translated_entries():
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            assert [table[(msgid, i)] for i in sorted(entry.msgstr_plural)] == [
                entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)
            ], entry.msgid
        else:
            assert table[msgid] == entry.msgstr, entry.msgid


def test_the_catalogs_hold_every_string_of_the_code(tmp_path, settings, monkeypatch):
    """Strings are gathered afresh from a copy of the code: one added since the catalogs were made
    fails here, before a reader meets it in English."""
    copy = tmp_path / "uadesk"
    shutil.copytree(
        Path(settings.BASE_DIR) / "uadesk",
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "locale", "*.mo"),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    (copy / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fr"], no_obsolete=True, verbosity=0)
    fresh = {key(e) for e in polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))}
    for code in TRANSLATED:
        kept = {key(e) for e in catalog(code) if not e.obsolete}
        missing = sorted(m for _, m, _ in fresh - kept)
        stale = sorted(m for _, m, _ in kept - fresh)
        assert not missing and not stale, (
            f"{code}: run `make messages` and translate: new {missing[:5]}, gone {stale[:5]}"
        )


# "usted", its imperatives with a pronoun attached, and its imperatives opening a clause (never third
# person there: "cada participante que escriba" stays allowed).
USTED = re.compile(
    r"\b(?:usted|ustedes|inténtelo|guárdelo|déjelo|díganos|indíquenos|fírmela|márquela|péguelo|pídale|ábralo)\b"
    r"|(?:^|[.:;!?¿¡]\s*|\n)(?:escriba|elija|consulte|corrija|vuelva|use|confirme|revise|abra|deje)\b",
    re.IGNORECASE,
)


def test_the_spanish_interface_says_tu_to_its_reader_never_usted():
    """One register for the reader: supporters, members and staff are addressed as "tú", never "usted"."""
    formal = []
    for entry in catalog("es").translated_entries():
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        formal += [(entry.msgid, text) for text in texts if USTED.search(text)]
    assert not formal, formal[:5]
