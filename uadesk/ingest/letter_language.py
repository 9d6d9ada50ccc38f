"""Which language a model letter is written in: by script, then by the commonest small words."""

import re
import unicodedata
from collections import Counter

# Short, frequent words that tell these languages apart in a letter to an official.
_STOPWORDS = {
    "en": "the and of to that in is are you we for their be with this have not urge release".split(),
    "fr": "le la les et des du que vous nous pour une est sont dans leur ne pas libérer".split(),
    "es": "el la los las y de que usted para una es están en su sus por con liberar".split(),
    "de": "der die das und zu den ist sie wir für nicht mit dass ihre eine freizulassen".split(),
    "pt": "o a os as e de que para uma é são em seu sua não com libertar".split(),
    "it": "il la le e di che per una è sono in suo sua non con gli rilasciare".split(),
    "nl": "de het en van een dat is zijn voor niet met u wij hun vrij".split(),
}
# Scripts that name their language outright, by the first word of the Unicode character name.
_SCRIPTS = {"CJK": "zh", "ARABIC": "ar", "CYRILLIC": "ru", "HEBREW": "he", "THAI": "th", "DEVANAGARI": "hi"}
# Letters only Persian uses among Arabic-script languages.
_PERSIAN = set("پچژگ")


def guess_letter_language(text: str, default: str = "en") -> str:
    """A BCP 47 code for the letter's language; `default` when the text gives no sign."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return default
    scripts = Counter(unicodedata.name(c, "?").split(" ")[0] for c in letters)
    script, count = scripts.most_common(1)[0]
    if script in _SCRIPTS and count > len(letters) / 2:
        language = _SCRIPTS[script]
        if language == "ar" and _PERSIAN & set(text):
            return "fa"
        return language
    words = Counter(re.findall(r"\w+", text.casefold()))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else default
