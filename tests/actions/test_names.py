"""Chinese names read aloud: pinyin with tone marks, surname first (no Django needed)."""

import pytest

from uadesk.actions.names import pinyin


@pytest.mark.parametrize(
    ("name", "spoken"),
    [
        ("习近平", "Xí Jìnpíng"),
        ("王毅", "Wáng Yì"),
        ("陈全国", "Chén Quánguó"),
        # Two-character surnames stay whole.
        ("欧阳修", "Ōuyáng Xiū"),
        ("司马迁", "Sīmǎ Qiān"),
        # Surnames that read otherwise than the same character in words.
        ("曾国藩", "Zēng Guófān"),
        ("单田芳", "Shàn Tiánfāng"),
        # A Uyghur name transcribed in Chinese: each part on its own, no surname to find.
        ("伊力哈木·土赫提", "Yīlìhāmù Tǔhètí"),
        # An apostrophe where a syllable opens with a vowel: Xī'ān, not xiān.
        ("李西安", "Lǐ Xī'ān"),
        ("  习近平 ", "Xí Jìnpíng"),
    ],
)
def test_a_chinese_name_reads_in_pinyin(name, spoken):
    assert pinyin(name) == spoken


@pytest.mark.parametrize("name", ["", "Xi Jinping", "عبد الله", "Навальный", "ئىلھام توختى"])
def test_a_name_without_chinese_characters_has_no_pinyin(name):
    assert pinyin(name) is None
