"""A writer at risk signs with initials: a name in any script as the letters that stand for it."""

import pytest

from uadesk.appeals.letters import initials
from uadesk.appeals.models import Appeal


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ada Lovelace", "A. L."),
        ("ada lovelace", "A. L."),  # capitals where the script has them
        ("  Ada \n  Lovelace ", "A. L."),
        ("Jean-Pierre Dupont", "J.-P. D."),
        ("A. Lovelace", "A. L."),  # already an initial: the same again
        ("(Ada) O'Brien", "A. O."),  # punctuation before a letter is no letter
        ("Madonna", "M."),
        ("Ильхам Тохти", "И. Т."),
        ("Ανδρέας Παπανδρέου", "Α. Π."),
        ("A\u030angström Berg", "Å. B."),  # a letter with its mark, whichever way it was typed
        # Without spaces, in a script without capitals: the first character only.
        ("王小明", "王"),
        ("محمد", "م"),
        ("דוד", "ד"),
        # Parts that spaces do separate, in such scripts: their letters, without full stops.
        ("أحمد علي", "أ ع"),
        ("क्षत्रिय", "क"),  # the consonant, not half of its conjunct
        ("दिव्या", "दि"),  # with the vowel sign on it
        ("เกศินี", "ก"),  # past the Thai vowel written before the consonant
        ("", ""),
        ("- . -", ""),
    ],
)
def test_initials_of_a_name(name, expected):
    assert initials(name) == expected


def test_the_whole_name_gives_nothing_of_itself_away_but_its_initials():
    assert "Lovelace" not in initials("Ada Lovelace") and "Ada" not in initials("Ada Lovelace")


@pytest.mark.parametrize(
    ("signing", "expected"),
    [("name", "Ada Lovelace"), ("initials", "A. L."), ("none", "")],
)
def test_the_name_a_letter_is_signed_with(signing, expected):
    assert Appeal.Signing(signing).name_shown("  Ada   Lovelace ") == expected
