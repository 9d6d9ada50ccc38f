"""From an Urgent Action document to a draft action: read it, parse it, and store it once."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction

from uadesk.actions.models import Action
from uadesk.actions.services import action_create_from_document
from uadesk.writing import text_language

from .parser import parse
from .readers import load
from .sandbox import Limits, read_document


@dataclass(frozen=True)
class IngestResult:
    action: Action
    created: bool
    document: dict


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


def action_ingest(*, text: str) -> IngestResult:
    """A draft action for the document, or the one that already holds it; nothing is written on bad input."""
    parsed = parse(text)
    document = parsed.to_dict()
    checksum = text_checksum(text)
    if existing := Action.objects.filter(source_sha256=checksum).first():
        return IngestResult(existing, False, document)
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
            return IngestResult(existing, False, document)
        raise
    return IngestResult(action, True, document)
