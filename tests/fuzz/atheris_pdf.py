"""Coverage-guided fuzzing of the PDF maker: `python -m tests.fuzz.atheris_pdf [libFuzzer flags]`."""

import datetime
import sys

import atheris

with atheris.instrument_imports(include=["uadesk"]):
    from tests.fuzz.properties import check_letter_pdf
    from uadesk.delivery.printing import Address, PrintLetter

LANGUAGES = ["en", "fr", "zh", "ar", "fa", "he", "ru", "hi", "th", "ja", "ko", "en-US", "", "x"]
ENVELOPES = [None, "DL", "C5"]


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)

    def words() -> str:
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 200))

    letter = PrintLetter(
        recipient=Address(words(), [words() for _ in range(fdp.ConsumeIntInRange(0, 5))],
                          [words() for _ in range(fdp.ConsumeIntInRange(0, 3))],
                          fdp.PickValueInList(LANGUAGES)),
        sender_lines=[words(), words()], date=datetime.date(2022, 9, 1), salutation=words(),
        body=words(), closing=words(), signature=words(), language=fdp.PickValueInList(LANGUAGES),
    )  # fmt: skip
    check_letter_pdf(letter, fdp.PickValueInList(ENVELOPES))


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
