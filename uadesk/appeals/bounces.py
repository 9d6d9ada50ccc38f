"""Bounces: each appeal's own envelope sender, and reading what comes back to it (a delivery status
notification, an auto-reply, or something else)."""

import datetime
import email
import email.header
import email.policy
import email.utils
import enum
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

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


class Kind(enum.StrEnum):
    """What came back to a letter's bounce address."""

    PERMANENT = "permanent"  # a DSN with a 5.x.x status: the address does not take mail
    TEMPORARY = "temporary"  # a DSN with a 4.x.x status: the receiving server is still trying
    UNKNOWN = "unknown"  # no DSN and no sign of an auto-reply: recorded for staff, changes nothing
    AUTO_REPLY = "auto-reply"  # an out-of-office or other automatic answer: the letter arrived


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
_STATUS_RE = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})")
_EMAIL_RE = re.compile(r"<?[^\s<>()\[\]\"';:,@]+@[^\s<>()\[\]\"';:,]+>?")
# Subjects of out-of-office answers from servers that send no header saying so.
_AUTO_SUBJECT_RE = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|auto:|"
    r"autoreply|absence|abwesen|r[ée]ponse automatique|respuesta autom[áa]tica|自动回复|自動回覆|自動応答)",
    re.IGNORECASE,
)


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
    dsn = _delivery_status(message)
    if dsn is None:
        kind = Kind.AUTO_REPLY if _is_auto_reply(message) else Kind.UNKNOWN
        return Bounce(int(appeal), kind, made_on=made_on)
    status, diagnostic = dsn
    kind = {"5": Kind.PERMANENT, "4": Kind.TEMPORARY}.get(status[:1], Kind.UNKNOWN)
    return Bounce(int(appeal), kind, status=status, diagnostic=diagnostic, made_on=made_on)


def _delivery_status(message) -> tuple[str, str] | None:
    """The worst Status and its Diagnostic-Code of a DSN (multipart/report; report-type=delivery-status
    with a message/delivery-status part), or None if the message is not one. Only the report's own
    part counts: a status quoted in a text or in an attached message is no report."""
    if message.get_content_type() != "multipart/report" or not message.is_multipart():
        return None
    report_type = email.utils.collapse_rfc2231_value(message.get_param("report-type") or "")
    if report_type.lower() != "delivery-status":
        return None
    found = []
    for part in message.get_payload():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        # The parser gives the per-message fields and each recipient's fields as header blocks.
        blocks = payload if isinstance(payload, list) else [email.message_from_string(str(payload))]
        for block in blocks:
            if match := _STATUS_RE.match(str(block.get("Status", ""))):
                found.append((".".join(match.groups()), str(block.get("Diagnostic-Code", ""))))
    if not found:
        return "", ""
    # A letter to several addresses of one target fails if any of them does.
    status, diagnostic = min(found, key=lambda f: {"5": 0, "4": 1}.get(f[0][0], 2))
    return status, _scrubbed(diagnostic)


def _scrubbed(text: str) -> str:
    """The server's words without email addresses (the official's, and sometimes a supporter's)."""
    return " ".join(_EMAIL_RE.sub("[address]", text).split())[:300]


def _is_auto_reply(message) -> bool:
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and auto_submitted != "no":  # RFC 3834: auto-replied, auto-generated, ...
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("X-Autoresponder"):
        return True
    if str(message.get("Precedence", "")).strip().lower() == "auto_reply":
        return True
    try:
        subject = str(email.header.make_header(email.header.decode_header(str(message.get("Subject", "")))))
    except (LookupError, UnicodeError, ValueError):  # a subject in an unknown or broken encoding
        subject = str(message.get("Subject", ""))
    return bool(_AUTO_SUBJECT_RE.match(subject))
