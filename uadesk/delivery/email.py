"""The email channel: letters through Django's mail framework, so any SMTP server or email service works."""

import contextlib
import email.policy
import functools
import re
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string

from .transport import OutgoingLetter, TransportError

# Anything shaped like an address, <bracketed> or bare: mail servers quote the recipient in replies.
_ADDRESS_RE = re.compile(r"<[^<>\s]*@[^<>\s]*>|[^\s<>@'\"(),;:]+@[^\s<>@'\"(),;:]+")


def without_addresses(error: object) -> str:
    """An error's text with every email address in it replaced by "<address>"."""
    text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
    return _ADDRESS_RE.sub("<address>", text)


def one_line(text: str) -> str:
    """Header text on one line: a newline in a subject or name must never start a new header."""
    return " ".join(text.split())


def templated(name: str, context: dict, *, unsubscribe_url: str | None = None) -> OutgoingLetter:
    """An email of the desk from its three templates, `<name>-subject.txt`, `<name>-body.txt` and
    `<name>-body.html`, in the language active at the call."""
    context = context | {"unsubscribe_url": unsubscribe_url}
    return OutgoingLetter(
        subject=one_line(render_to_string(f"{name}-subject.txt", context)),
        text=render_to_string(f"{name}-body.txt", context),
        html=render_to_string(f"{name}-body.html", context),
        unsubscribe_url=unsubscribe_url,
    )


class _RememberingHeaders:
    """The policy's header factory, remembering what it parsed: letters of one action share their
    From, Subject, To and MIME headers, and parsing them is most of the cost of a letter."""

    def __init__(self, factory):
        self.factory = factory
        self.parsed = functools.lru_cache(maxsize=4096)(factory.__call__)

    def __call__(self, name, value):
        return self.parsed(name, value)

    def __getitem__(self, name):
        return self.factory[name]

    def __getattr__(self, name):
        return getattr(self.factory, name)


# Headers that hold <URL>s (RFC 2369), written as they are: the email package would fold a long one
# into RFC 2047 encoded words, which no mail app reads as an address to unsubscribe by (RFC 8058).
VERBATIM = frozenset({"list-unsubscribe"})


def _verbatim(name: str, value) -> bool:
    # Only plain ASCII on one line, within RFC 5322's 998 characters; anything else takes the usual way.
    return (
        name.lower() in VERBATIM
        and isinstance(value, str)
        and value.isascii()
        and value.isprintable()
        and len(name) + len(value) < 990
    )


class _RememberingPolicy(email.policy.EmailPolicy):
    """The same policy, folding each distinct header once; header objects are immutable, so one
    parsed or folded header serves every letter that carries it. The bytes are the same, but for
    the VERBATIM headers, which are not folded at all."""

    def __init__(self, **kw):
        super().__init__(**kw)
        object.__setattr__(self, "_folded", functools.lru_cache(maxsize=4096)(super().fold_binary))

    def header_store_parse(self, name, value):
        if _verbatim(name, value):
            return (name, str(value))  # kept as the plain string it is, not parsed
        return super().header_store_parse(name, value)

    def fold(self, name, value):
        if _verbatim(name, value) and not hasattr(value, "name"):
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if _verbatim(name, value) and not hasattr(value, "name"):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return self._folded(name, value)


@functools.cache
def remembering(policy: email.policy.EmailPolicy) -> email.policy.EmailPolicy:
    # A policy keeps what differs from the defaults in its __dict__, as clone() relies on too.
    return _RememberingPolicy(
        **(vars(policy) | {"header_factory": _RememberingHeaders(policy.header_factory)})
    )


class Letter(EmailMultiAlternatives):
    """Django's email message, built with a policy that remembers headers (see _RememberingPolicy)."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=remembering(policy))


def remember_addresses(backend) -> None:
    """SMTP backends parse each envelope address with the email package's full header parser, a
    fifth of a letter's cost; the desk's sending address and the targets' addresses repeat."""
    prep = getattr(backend, "prep_address", None)
    if prep is not None and not hasattr(prep, "cache_info"):
        backend.prep_address = functools.lru_cache(maxsize=4096)(prep)


# A connection idle longer than this may have been dropped by the server: check it before use.
IDLE_CHECK_SECONDS = 20


class EmailTransport:
    """Sends letters over one connection, opened on first use and reused until closed."""

    def __init__(self, connection=None, from_email: str | None = None):
        self.connection = connection or mailers.default
        remember_addresses(self.connection)
        self.from_email = from_email or settings.DEFAULT_FROM_EMAIL
        self.last_used = 0.0

    def __enter__(self) -> "EmailTransport":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        # Closing a connection the server already dropped is not a failed send.
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self.connection.close()

    def ensure_open(self) -> None:
        """Opened here, the connection stays open across sends: Django closes only what send() opened."""
        smtp = getattr(self.connection, "connection", None)
        if smtp is not None and time.monotonic() - self.last_used > IDLE_CHECK_SECONDS:
            try:
                smtp.noop()
            except (smtplib.SMTPException, OSError):
                self.close()  # dropped while idle: nothing was sent on it, so open a fresh one
        self.connection.open()

    def message(self, letter: OutgoingLetter, *, to: str) -> EmailMultiAlternatives:
        headers = {"Message-ID": letter.message_id} if letter.message_id else {}
        if letter.unsubscribe_url:
            # RFC 8058: a mail app may unsubscribe with one POST to this address, without opening it.
            headers["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        if letter.bounce_address:
            # Django takes the envelope sender from from_email; the reader still sees the desk's address.
            headers["From"] = self.from_email
        message = Letter(
            subject=one_line(letter.subject),
            body=letter.text,
            from_email=letter.bounce_address or self.from_email,
            to=[to],
            reply_to=[letter.reply_to] if letter.reply_to else None,
            headers=headers,
            connection=self.connection,
        )
        if letter.html:
            message.attach_alternative(letter.html, "text/html")
        for filename, content, mimetype in letter.attachments:
            message.attach(filename, content, mimetype)
        return message

    def send(self, letter: OutgoingLetter, *, to: str) -> None:
        """Raises TransportError with no address in it, and without the mail library's error as its
        cause: a traceback is stored with a failed task and written to the worker's log, and
        smtplib's errors name the recipient (a supporter, for the desk's own emails to them)."""
        try:
            self.ensure_open()
            sent = self.message(letter, to=to).send()
            self.last_used = time.monotonic()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise TransportError(
                f"refused by the mail server: {codes}", permanent=all(c >= 500 for c in codes)
            ) from None
        except smtplib.SMTPResponseException as error:
            self.close()
            said = without_addresses(error.smtp_error)
            raise TransportError(
                f"mail server said {error.smtp_code}: {said!r}", permanent=error.smtp_code >= 500
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise TransportError(f"could not reach the mail server: {without_addresses(error)}") from None
        except ValueError as error:
            # Django's check of an address it cannot put in a header quotes the address.
            raise TransportError(
                f"the letter could not be sent: {without_addresses(error)}", permanent=True
            ) from None
        if sent != 1:
            raise TransportError("the mail server accepted no recipient")


_shared: EmailTransport | None = None


def shared_transport() -> EmailTransport:
    """One SMTP connection per worker process, reused by every task from letter to letter."""
    global _shared
    if _shared is None:
        _shared = EmailTransport()
    return _shared


def shared_transport_reset() -> None:
    """Closes the shared connection; the next letter opens one with the settings of that moment."""
    global _shared
    if _shared is not None:
        _shared.close()
    _shared = None
