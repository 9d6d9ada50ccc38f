"""Whole numbers read from outside (a request, the environment, the command line): ASCII digits only."""

# More digits than any id or setting of the desk has (a 64-bit integer has 19).
MAX_DIGITS = 18


def parse_int(text: str | None, *, max_digits: int = MAX_DIGITS) -> int | None:
    """The number `text` spells in ASCII digits, or None for anything else.

    Python's int() and str.isdigit() take far more than a person types for a number: "²" passes
    isdigit() and then fails int(), int() takes "٣", "１", " 7 " and "1_000", and 5,000 digits
    raise (or, where allowed, cost a quadratic conversion and overflow the database's integers).
    """
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
