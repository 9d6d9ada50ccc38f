"""The language of a model letter is recognised without Django and without the seed's words."""

import pytest

from uadesk.writing import text_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I urge you to release them immediately and to ensure that they are not tortured.", "en"),
        ("Je vous prie de libérer immédiatement les personnes détenues et de garantir leur sécurité.", "fr"),
        ("Le pido que libere de inmediato a las personas detenidas y que garantice su seguridad.", "es"),
        ("Ich fordere Sie auf, die Inhaftierten sofort freizulassen.", "de"),
        ("我们敦促您立即释放所有被任意拘留的人。", "zh"),
        ("أحثكم على الإفراج الفوري عن جميع المحتجزين تعسفياً.", "ar"),
        ("از شما می‌خواهم که فوراً همه بازداشت‌شدگان را آزاد کنید و از شکنجه آنها جلوگیری کنید.", "fa"),
        ("Призываю вас немедленно освободить всех задержанных.", "ru"),
        ("1234 5678", "en"),
    ],
)  # fmt: skip
def test_letters_language(text, expected):
    assert text_language(text) == expected
