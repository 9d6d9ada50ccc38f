"""Coverage-guided fuzzing of letter_html: `python -m tests.fuzz.atheris_letter [libFuzzer flags]`."""

import sys

import atheris

with atheris.instrument_imports(include=["uadesk", "django.utils.html", "django.utils.text"]):
    from tests.fuzz.properties import check_letter_html


def one_input(data: bytes) -> None:
    check_letter_html(atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data)))


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
