"""Coverage-guided fuzzing of the UA parser: `python -m tests.fuzz.atheris_parser [libFuzzer flags]`."""

import sys

import atheris

with atheris.instrument_imports(include=["uadesk"]):
    from tests.fuzz.properties import check_parse


def one_input(data: bytes) -> None:
    check_parse(atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data)))


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
