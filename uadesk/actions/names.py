"""Chinese names in pinyin with tone marks, surname first, so a supporter can read them aloud."""

import re

from pypinyin import Style, lazy_pinyin

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# The dots that join the parts of a transcribed foreign name, such as a Uyghur or Tibetan one.
NAME_DOTS = re.compile(r"[\s·•・‧.]+")
# Without these, 欧阳修 would read "Ōu Yángxiū" instead of "Ōuyáng Xiū".
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 独孤 南宫 西门 呼延 轩辕"
    " 万俟 闻人 澹台 公冶 申屠 太史 濮阳 钟离 赫连 拓跋".split()
)
# Characters that a surname reads otherwise than the same character in words.
SURNAME_READINGS = {
    "单": "shàn", "曾": "zēng", "解": "xiè", "区": "ōu", "仇": "qiú", "朴": "piáo", "查": "zhā",
    "盖": "gě", "覃": "qín", "乐": "yuè", "尉": "yù", "缪": "miào", "翟": "zhái", "种": "chóng",
    "纪": "jǐ", "华": "huà", "任": "rén", "黑": "hè", "万俟": "mòqí", "长孙": "zhǎngsūn",
}  # fmt: skip
VOWEL_START = re.compile(r"^[aāáǎàoōóǒòeēéěè]")


def _joined(syllables: list[str]) -> str:
    # An apostrophe where a syllable opens with a, o or e, so Xī'ān is not read as xiān.
    out = ""
    for syllable in syllables:
        out += ("'" if out and VOWEL_START.match(syllable) else "") + syllable
    return out


def _syllables(text: str) -> str:
    return _joined(lazy_pinyin(text, style=Style.TONE))


def _title(word: str) -> str:
    return word[:1].upper() + word[1:]


def pinyin(name: str) -> str | None:
    """Xí Jìnpíng for 习近平; None where the name holds no Chinese character."""
    name = name.strip()
    if not HAN.search(name):
        return None
    parts = [part for part in NAME_DOTS.split(name) if part]
    if len(parts) > 1:
        # A transcription (伊力哈木·土赫提) or a name already spaced: no Chinese surname to find.
        return " ".join(_title(_syllables(part)) for part in parts)
    cut = 2 if name[:2] in COMPOUND_SURNAMES else 1
    surname = SURNAME_READINGS.get(name[:cut]) or _syllables(name[:cut])
    given = _syllables(name[cut:])
    return " ".join(_title(word) for word in (surname, given) if word)
