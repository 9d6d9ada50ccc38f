"""The text of an Urgent Action as it reaches a section by email (.eml): subject, body, PDF and DOCX files."""

from __future__ import annotations

import dataclasses
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from .errors import DocumentTooComplex, IngestError, UnreadableDocument
from .html_reader import decode_page, html_text
from .readers import Spent, _docx_text, _pdf_text, _too_many_chars, decode_text

# A forward of a forward of a forward is read; deeper ones are quoted history, not the UA.
MAX_FORWARDS = 3
# No UA needs more parts or deeper nesting than this; a message that has them is built to cost.
MAX_PARTS = 500
MAX_NESTING = 30
# A body this short beside an attachment is its cover note ("Please find attached the UA"), not the UA.
COVER_NOTE_WORDS = 100
# Headers at least one of which every email has: without any, the file is not an email.
MAIL_HEADERS = ("from", "to", "subject", "date", "message-id", "mime-version", "received", "content-type")
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# What mail programs put before a subject they reply to or forward, in the languages sections write in.
REPLY_PREFIX = re.compile(r"^(\s*(re|fwd?|tr|wg|aw|rv|sv|vs|enc|doorst|antw)\s*(\[\d+\])?\s*:)+\s*", re.I)
NO_TEXT = "the email has no text or PDF/DOCX attachment to read."
TOO_MANY_PARTS = "the email has too many parts, or nests them too deeply."


def email_text(data: bytes, name: str, max_pages: int, *, max_chars: int, max_unpacked: int) -> str:
    """The UA in an email: its subject as the first line, then its body (plain text if it holds the
    UA, else the HTML one) unless it is a mere cover note, then its attachments and forwarded messages."""
    # policy.default reads each part's headers at a cost of some 100 µs: 100,000 empty parts would take
    # a minute. Each part starts at a line "--boundary", so counting those lines first is cheap.
    if data.count(b"\n--") > 2 * MAX_PARTS:
        raise DocumentTooComplex(f"{name}: {TOO_MANY_PARTS}")
    reader = _MailReader(name, max_pages=max_pages, max_chars=max_chars, max_unpacked=max_unpacked)
    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
        if not any(header in message for header in MAIL_HEADERS):
            raise UnreadableDocument(
                f"{name}: not an email (it has no mail headers); save the email from your mail program."
            )
        text = reader.message_text(message, depth=0, outer_subject="")
    except (IngestError, MemoryError):
        raise
    except RecursionError:
        raise DocumentTooComplex(f"{name}: the email's parts are nested too deeply to read.") from None
    except Exception:  # the email package is lenient, but a header it cannot make sense of may still raise
        raise UnreadableDocument(f"{name}: the email is damaged and cannot be read.") from None
    if len(text) > max_chars:
        raise _too_many_chars(name, max_chars)
    if not text.strip():
        raise UnreadableDocument(f"{name}: {NO_TEXT}")
    return text


@dataclasses.dataclass
class _Parts:
    """One message's parts as read: the text of its body and the documents it carries, in order."""

    plain: list[EmailMessage] = dataclasses.field(default_factory=list)
    html: list[EmailMessage] = dataclasses.field(default_factory=list)
    documents: list[tuple[str, EmailMessage]] = dataclasses.field(default_factory=list)


class _MailReader:
    def __init__(self, name: str, *, max_pages: int, max_chars: int, max_unpacked: int) -> None:
        self.name, self.max_pages = name, max_pages
        self.max_chars, self.max_unpacked = max_chars, max_unpacked
        self.spent = Spent()  # every attachment of the message, forwarded ones too, shares the limits
        self.parts = 0

    def message_text(self, message: EmailMessage, *, depth: int, outer_subject: str) -> str:
        parts = _Parts()
        self._collect(message, parts, depth=depth, nesting=0)
        subject = REPLY_PREFIX.sub("", _subject(message))
        documents = [
            self._document(kind, part, depth, subject or outer_subject) for kind, part in parts.documents
        ]
        documents = [text for text in documents if text.strip()]
        body = self._body(parts)
        if documents and _words(body.split("\n-- \n", 1)[0]) < COVER_NOTE_WORDS:
            body = ""
        blocks = [block for block in (body, *documents) if block.strip()]
        if not blocks:
            return ""
        # A forwarded message's subject is the one that forwards it, less "Fwd:": said once is enough.
        if subject and subject != outer_subject:
            blocks.insert(0, subject)
        return "\n\n".join(blocks)

    def _collect(self, part: EmailMessage, parts: _Parts, *, depth: int, nesting: int) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS or nesting > MAX_NESTING:
            raise DocumentTooComplex(f"{self.name}: {TOO_MANY_PARTS}")
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            if depth < MAX_FORWARDS and part.is_multipart():
                parts.documents.append(("message", part.get_payload(0)))
            return
        if part.is_multipart():
            for child in part.iter_parts():
                self._collect(child, parts, depth=depth, nesting=nesting + 1)
            return
        suffix = (part.get_filename() or "").rsplit(".", 1)[-1].lower()
        if content_type in PDF_TYPES or suffix == "pdf":
            parts.documents.append((".pdf", part))
        elif content_type == DOCX_TYPE or suffix == "docx":
            parts.documents.append((".docx", part))
        elif part.get_content_disposition() == "attachment":
            return  # images, calendar invitations, the text footers some mail servers attach
        elif content_type == "text/plain":
            parts.plain.append(part)
        elif content_type == "text/html":
            parts.html.append(part)

    def _body(self, parts: _Parts) -> str:
        """The plain-text body if it holds the message (not "view this email in a browser"), else the
        HTML one's text."""
        plain = "\n\n".join(_plain_text(part, self.name) for part in parts.plain).strip("\n")
        html = "\n\n".join(self._html(part) for part in parts.html).strip()
        body = plain if plain and 2 * _words(plain) >= _words(html) else html
        if len(body) + self.spent.chars > self.max_chars:
            raise _too_many_chars(self.name, self.max_chars)
        self.spent.chars += len(body)
        return body

    def _html(self, part: EmailMessage) -> str:
        page = decode_page(part.get_payload(decode=True) or b"", self.name, part.get_content_charset())
        try:
            # Counted against what is left, as the body it may be; _body counts the one it takes.
            return html_text(page, self.name, max_chars=self.max_chars, spent=Spent(chars=self.spent.chars))
        except UnreadableDocument as error:
            if "no text" in str(error):
                return ""  # an HTML body that is all styling: the attachments may still hold the UA
            raise

    def _document(self, kind: str, part: EmailMessage, depth: int, subject: str) -> str:
        if kind == "message":
            return self.message_text(part, depth=depth + 1, outer_subject=subject)
        name = f"{self.name}, attachment {part.get_filename() or 'without a name'}"
        data = part.get_payload(decode=True) or b""
        limits = {"max_chars": self.max_chars, "max_unpacked": self.max_unpacked, "spent": self.spent}
        if kind == ".pdf":
            return _pdf_text(data, name, self.max_pages, **limits)
        return _docx_text(data, name, **limits)


def _plain_text(part: EmailMessage, name: str) -> str:
    data = part.get_payload(decode=True) or b""
    charset = part.get_content_charset()
    try:
        text = data.decode(charset, errors="replace") if charset else decode_text(data, name)
    except LookupError:  # a charset Python does not know ("unknown-8bit")
        text = decode_text(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if part.get_param("format", "").lower() == "flowed":
        text = _unflowed(text, delsp=part.get_param("delsp", "").lower() == "yes")
    return text


def _unflowed(text: str, *, delsp: bool) -> str:
    """format=flowed (RFC 3676): a line ending in a space goes on in the next one, as it was typed."""
    lines: list[str] = []
    carry = ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            carry += line[:-1] if delsp else line
            continue
        lines.append(carry + line)
        carry = ""
    if carry:
        lines.append(carry)
    return "\n".join(lines)


def _subject(message: EmailMessage) -> str:
    return " ".join(str(message.get("subject", "")).split())


def _words(text: str) -> int:
    return len(text.split())
