"""A holder of supporters' data for the tests, kept in memory: signatures with a name, like a petition's."""

import datetime

SIGNATURES: list[dict] = []


def sign(supporter, *, petition: str, name: str, country: str = "FR") -> None:
    SIGNATURES.append(
        {
            "supporter": supporter.pk,
            "petition": petition,
            "name": name,
            "country": country,
            "signed_at": datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC),
            "updates": True,
        }
    )


def count(petition: str) -> int:
    return sum(s["petition"] == petition for s in SIGNATURES)


def supporter_data(supporter) -> dict:
    return {
        "signatures": [
            {key: value for key, value in s.items() if key != "supporter"}
            for s in SIGNATURES
            if s["supporter"] == supporter.pk
        ]
    }


def forget_supporter(supporter) -> None:
    # As a real holder does: the row stays for the count, with nothing that points to the person.
    for s in SIGNATURES:
        if s["supporter"] == supporter.pk:
            s.update(supporter=None, name="", updates=False)
