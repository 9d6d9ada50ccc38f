"""Which way a language and a text run, and which comma a letter writes (the language of a text:
tests/ingest/test_letter_language.py)."""

import pytest
from django.conf.locale import LANG_INFO

from uadesk.writing import comma, direction, paragraph_direction, text_direction


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ar", "rtl"), ("fa-IR", "rtl"), ("he", "rtl"), ("ur", "rtl"), ("ps", "rtl"), ("dv", "rtl"),
        ("yi", "rtl"), ("ckb", "rtl"), ("sd", "rtl"), ("ug", "rtl"), ("AR_eg", "rtl"),
        ("en", "ltr"), ("zh-Hans", "ltr"), ("ru", "ltr"), ("az", "ltr"), ("pa", "ltr"),
        ("az-Arab", "rtl"), ("pa-Arab", "rtl"), ("ks-Deva", "ltr"), ("zh-Latn-pinyin", "ltr"),
        ("", None), ("und", None), (None, None), ("own language", None),
    ],
)  # fmt: skip
def test_direction_of_a_language(code, expected):
    assert direction(code) == expected


def test_the_directions_agree_with_djangos_but_for_azerbaijani():
    # Django marks Azerbaijani right to left; Azerbaijan writes it in Latin letters.
    differ = {
        code
        for code, info in LANG_INFO.items()
        if "bidi" in info and (direction(code) == "rtl") != info["bidi"]
    }
    assert differ == {"az"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48 شخصاً", "rtl"),
        ("  «מדינת ישראל»", "rtl"),
        ("48 individuals", "ltr"),
        ("习近平", "ltr"),
        ("48 —", None),
    ],
)
def test_direction_of_a_text_from_its_first_letter(text, expected):
    assert text_direction(text) == expected


def test_a_paragraph_runs_the_letters_way_unless_it_has_no_letter_that_does():
    assert paragraph_direction("48 شخصاً من Xinjiang", "rtl") == "rtl"
    assert paragraph_direction("Dear President Xi Jinping,", "rtl") == "ltr"
    assert paragraph_direction("أحمد علي، Lyon", "ltr") == "ltr"
    assert paragraph_direction("أحمد علي، القاهرة", "ltr") == "rtl"
    assert paragraph_direction("48 — 2022", "rtl") == "rtl"


def test_the_comma_is_that_of_the_words_it_follows():
    assert comma("سيادة الرئيس") == comma("جناب صدر") == "،"  # Arabic, Urdu
    assert comma("Dear President Xi Jinping", "ar") == comma("נשיא המדינה") == comma("Anna") == ","
    assert comma("", "ar") == comma("48", "fa") == "،"  # no letters: the letter's language decides
    assert comma("", "en") == comma("", "ur-Latn") == comma("") == ","


@pytest.mark.parametrize(
    ("title", "context", "expected"),
    [
        # Names keep the capital the text gives them inside a sentence; the rest reads as a sentence.
        ("DEFENDER HELD IN KOMBOLCHA", "Police in Kombolcha held her.", "Defender held in Kombolcha"),
        ("FEAR FOR SAFETY OF JOURNALIST", "", "Fear for safety of journalist"),
        ("UN EXPERT DENIED ACCESS", "The UN said so.", "UN expert denied access"),
        # A word capitalised only at the start of a sentence is not taken for a name.
        ("STUDENTS ARRESTED", "Students were arrested. Arrested they were.", "Students arrested"),
        # A title already in mixed case is the editor's own: left as it is.
        ("Release Ilham Tohti now", "", "Release Ilham Tohti now"),
    ],
)  # fmt: skip
def test_a_title_in_capitals_becomes_a_subject_in_sentence_case(title, context, expected):
    from uadesk.writing import sentence_case

    assert sentence_case(title, context) == expected
