"""What every delivery channel shares: the letter it carries and the one error it raises."""

from dataclasses import dataclass, field


class TransportError(Exception):
    """A send that did not happen. `permanent` tells the caller to give up rather than retry."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingLetter:
    """A letter ready to go out, with nothing of the appeal it came from."""

    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    # Fixed per appeal, so a resend after a crash carries the same identity downstream.
    message_id: str | None = None
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    # The envelope sender: bounces come back to this address, which names the letter they are about.
    bounce_address: str | None = None
    # Where the reader stops this kind of email, for the List-Unsubscribe headers (RFC 2369, RFC 8058):
    # set on everything but an email the reader just asked for.
    unsubscribe_url: str | None = None
