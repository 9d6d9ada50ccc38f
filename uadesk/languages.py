"""Links that open in each reader's own language, for paper and other places that cannot know it."""

from django.utils.translation import get_language_from_path


def for_every_reader(path: str) -> str:
    """The path without its language prefix. The desk keeps the language in every page's URL, so a
    shared link opens as it was read; a path without one is sent on to the reader's own choice (their
    language cookie, else their browser's), as a QR code on a printed sheet should be."""
    language = get_language_from_path(path)
    return path.removeprefix(f"/{language}") if language else path
