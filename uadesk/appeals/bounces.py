"""Bounces: each appeal's own envelope sender, and reading what comes back to it (a delivery status
notification, an auto-reply, or something else)."""

import datetime
import email
import email.policy
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

# Reading what came back is shared with every other email of the outbox (uadesk/delivery/bounces.py).
from uadesk.delivery.bounces import Kind, delivery_status, is_auto_reply

_SALT = "uadesk.appeals.bounce"


def bounce_address(appeal_pk: int, *, day: datetime.date | None = None) -> str | None:
    """bounces+<appeal>-<day>-<signature>@domain: the signature, covering the appeal and the day the
    address was made, keeps strangers from marking letters bounced; the day lets it expire, so an
    address read off a letter long ago (a leaked or forwarded copy) marks nothing."""
    if not settings.BOUNCE_DOMAIN:
        return None
    stamp = (day or timezone.now().date()).strftime("%Y%m%d")
    return f"bounces+{appeal_pk}-{stamp}-{_signature(f'{appeal_pk}-{stamp}')}@{settings.BOUNCE_DOMAIN}"


def _signature(value: str) -> str:
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:12]


@dataclass(frozen=True)
class Bounce:
    """What came back to the bounce address of one appeal."""

    appeal_pk: int
    kind: Kind
    status: str = ""  # the DSN's worst Status, e.g. 5.1.1
    diagnostic: str = ""  # the receiving server's words, scrubbed of email addresses
    # The day the address was made; None for an address of the old form (bounces+<appeal>-<sig>@),
    # which carries no day: those hold only while the appeal's own send is within the window.
    made_on: datetime.date | None = None

    @property
    def permanent(self) -> bool:
        return self.kind == Kind.PERMANENT

    def expired(self, sent_at: datetime.datetime | None, now: datetime.datetime) -> bool:
        """Past BOUNCE_ADDRESS_HOURS after the letter went out (its send time, or the end of the day its
        address was made if the appeal has none): too late to be about that letter."""
        window = datetime.timedelta(hours=settings.BOUNCE_ADDRESS_HOURS)
        if self.made_on is not None:
            day_end = datetime.datetime.combine(
                self.made_on + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
            )
            if now > day_end + window:
                return True
        elif sent_at is None:
            return True  # an old-form address and no send to measure it from
        return sent_at is not None and now > sent_at + window


_ADDRESS_RE = re.compile(r"bounces\+(\d+)-(?:(\d{8})-)?([0-9a-f]{12})@", re.IGNORECASE)


def bounced_appeal(raw: bytes, *, recipient: str = "") -> Bounce | None:
    """What came back to one of our letters, or None if the message was not sent to a bounce address
    of ours with a valid signature.

    The mail server gives the address the message came to (`recipient`), or it is in the headers.
    Only a delivery status notification (RFC 3464) says whether the letter failed: a 5.x.x status is
    permanent, a 4.x.x one temporary. An auto-reply (RFC 3834 and the common headers that say so)
    means the letter arrived; anything else is unknown.
    """
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    places = [recipient] + [
        message.get(h, "") for h in ("Delivered-To", "X-Original-To", "To", "Envelope-To")
    ]
    for place in places:
        match = _ADDRESS_RE.search(str(place or ""))
        if match is None:
            continue
        appeal, stamp, signature = match.groups()
        signed = f"{appeal}-{stamp}" if stamp else appeal
        if not constant_time_compare(signature.lower(), _signature(signed)):
            continue
        try:
            made_on = datetime.datetime.strptime(stamp, "%Y%m%d").date() if stamp else None
        except ValueError:
            continue
        break
    else:
        return None
    dsn = delivery_status(message)
    if dsn is None:
        kind = Kind.AUTO_REPLY if is_auto_reply(message) else Kind.UNKNOWN
        return Bounce(int(appeal), kind, made_on=made_on)
    status, diagnostic = dsn
    kind = {"5": Kind.PERMANENT, "4": Kind.TEMPORARY}.get(status[:1], Kind.UNKNOWN)
    return Bounce(int(appeal), kind, status=status, diagnostic=diagnostic, made_on=made_on)
