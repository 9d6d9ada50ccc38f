"""From an Urgent Action document to a draft action: read it, parse it, and store it once."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower, Replace

from uadesk.actions.models import Action, same_language
from uadesk.actions.services import action_create_from_document
from uadesk.writing import text_language

from .parser import UADocument, parse
from .readers import load
from .sandbox import Limits, read_document


@dataclass(frozen=True)
class IngestResult:
    action: Action
    created: bool
    document: dict
    # True: the action is this UA in another language and nothing was created; staff choose whether the
    # document becomes its translation (translations.py) or a new action of its own (as_new).
    same_ua: bool = False
    language: str = ""  # the document's (document_language)


def text_checksum(text: str) -> str:
    """The same document gives the same checksum, whatever its line endings and spacing."""
    canonical = "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return hashlib.sha256(canonical.encode()).hexdigest()


def document_read(
    *, path: str | Path | None = None, data: bytes | None = None, filename: str = "", **limits: int
) -> str:
    """The text of a UA document from a path or from uploaded bytes, read in a confined child process
    (sandbox.py); IngestError says what is wrong. `limits` narrow the settings' (e.g. max_pages)."""
    confined = Limits.from_settings(**limits)
    if data is None:
        data, filename = load(path, max_bytes=confined.max_bytes)
    return read_document(data, filename, confined)


def document_parse(*, text: str) -> dict:
    return parse(text).to_dict()


def document_language(parsed: UADocument) -> str:
    """The language the document is written in: as the parser read it from its labels, else guessed from
    its title and summary the way Action.case_language reads an action's."""
    return parsed.language or text_language(
        f"{parsed.title}\n{parsed.summary}", default=settings.LANGUAGE_CODE
    )


def number_key(value: str | None) -> str:
    """A UA or index number as it compares: "AFR 98/4242/2031" and "afr98/4242/2031" are the same."""
    return "".join((value or "").split()).lower()


def _number_column(field: str):
    # Spaces only: an import turns any other whitespace in these one-line columns into spaces (_fit).
    return Replace(Lower(field), Value(" "), Value(""))


def same_ua_action(*, document: dict, language: str) -> Action | None:
    """The action that holds this UA in another language, found by its UA number or its index number;
    None when no action has either, or each that does is written in the document's language."""
    ua, index = number_key(document.get("ua_number")), number_key(document.get("index_number"))
    if not ua and not index:
        return None
    found = Q()
    if ua:
        found |= Q(ua_key=ua)
    if index:
        found |= Q(index_key=index)
    candidates = [
        action
        for action in Action.objects.annotate(
            ua_key=_number_column("ua_number"), index_key=_number_column("index_number")
        ).filter(found)
        if not same_language(language, action.case_language)
    ]
    # A translation carries its original's index number, while an update of the case keeps the UA
    # number under an index of its own: the index decides first, then the kind (an update's translation
    # belongs to the update), then the earliest, which is the original.
    kind = document.get("kind")
    return min(
        candidates,
        key=lambda a: (a.index_key != index or not index, a.kind != kind, a.created_at, a.pk),
        default=None,
    )


def is_same_ua(action: Action, document: dict) -> bool:
    """The document carries the action's UA number or its index number."""
    for field in ("ua_number", "index_number"):
        key = number_key(document.get(field))
        if key and key == number_key(getattr(action, field)):
            return True
    return False


def action_ingest(*, text: str, as_new: bool = False) -> IngestResult:
    """A draft action for the document, or the one that already holds it; nothing is written on bad input.
    A UA the desk already has in another language makes nothing: the result names that action
    (same_ua) for staff to choose. `as_new` makes a draft of it anyway."""
    parsed = parse(text)
    document = parsed.to_dict()
    language = document_language(parsed)
    checksum = text_checksum(text)
    if existing := Action.objects.filter(source_sha256=checksum).first():
        return IngestResult(existing, False, document, language=language)
    if not as_new and (original := same_ua_action(document=document, language=language)):
        return IngestResult(original, False, document, same_ua=True, language=language)
    letter = document["model_letter"]
    try:
        with transaction.atomic():
            action = action_create_from_document(
                document=document,
                source_text=text,
                source_sha256=checksum,
                letter_language=parsed.language or (text_language(letter["body"]) if letter else "en"),
                doubts=parsed.doubts,
                source_language=parsed.language or "",
            )
    except IntegrityError:
        # Another upload of the same document won the race; its draft is the one.
        if existing := Action.objects.filter(source_sha256=checksum).first():
            return IngestResult(existing, False, document, language=language)
        raise
    return IngestResult(action, True, document, language=language)
