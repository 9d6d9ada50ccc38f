"""A holder whose forgetting fails (for everyone, or for the supporters in FAIL_FOR)."""

FAIL_FOR: set[int] | None = None


def supporter_data(supporter) -> dict:
    return {}


def forget_supporter(supporter) -> None:
    if FAIL_FOR is None or supporter.pk in FAIL_FOR:
        raise RuntimeError("the petitions table is locked")
