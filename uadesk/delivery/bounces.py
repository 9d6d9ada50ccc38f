"""What comes back to the desk's emails: reading a delivery status notification, an auto-reply or a spam
complaint; and the bounce address of any outbox message, so that what comes back reaches its sender.

Letters to officials have bounce addresses of their own (uadesk/appeals/bounces.py); every other email
of the outbox may carry bounces+m<message>-<day>-<signature>@BOUNCE_DOMAIN, read here, and its kind's
Sender decides what a bounce changes (Sender.bounced)."""

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

_SALT = "uadesk.delivery.bounce"


class Kind(enum.StrEnum):
    """What came back to a bounce address."""

    PERMANENT = "permanent"  # a DSN with a 5.x.x status: the address does not take mail
    TEMPORARY = "temporary"  # a DSN with a 4.x.x status: the receiving server is still trying
    UNKNOWN = "unknown"  # no DSN and no sign of an auto-reply: recorded for staff, changes nothing
    AUTO_REPLY = "auto-reply"  # an out-of-office or other automatic answer: the letter arrived
    COMPLAINT = "complaint"  # a feedback report (RFC 5965): the reader marked it as spam


_STATUS_RE = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})")
_EMAIL_RE = re.compile(r"<?[^\s<>()\[\]\"';:,@]+@[^\s<>()\[\]\"';:,]+>?")
# Subjects of out-of-office answers from servers that send no header saying so.
_AUTO_SUBJECT_RE = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|auto:|"
    r"autoreply|absence|abwesen|r[ée]ponse automatique|respuesta autom[áa]tica|自动回复|自動回覆|自動応答)",
    re.IGNORECASE,
)


def delivery_status(message) -> tuple[str, str] | None:
    """The worst Status and its Diagnostic-Code of a DSN (multipart/report; report-type=delivery-status
    with a message/delivery-status part), or None if the message is not one. Only the report's own
    part counts: a status quoted in a text or in an attached message is no report."""
    if _report_type(message) != "delivery-status":
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
    return status, scrubbed(diagnostic)


def is_complaint(message) -> bool:
    """A feedback report (RFC 5965) of the kind "abuse": a reader pressed "this is spam"."""
    if _report_type(message) != "feedback-report":
        return False
    for part in message.get_payload():
        if part.get_content_type() == "message/feedback-report":
            payload = part.get_payload()
            blocks = payload if isinstance(payload, list) else [email.message_from_string(str(payload))]
            return any(str(b.get("Feedback-Type", "abuse")).strip().lower() == "abuse" for b in blocks)
    return False


def returned_message(message):
    """The original message a report carries (message/rfc822 or text/rfc822-headers), or None: a
    feedback report names our bounce address only in the Return-Path of the message it quotes."""
    if not message.is_multipart():
        return None
    for part in message.get_payload():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            return inner[0] if isinstance(inner, list) and inner else None
        if kind == "text/rfc822-headers":
            return email.message_from_string(str(part.get_payload()), policy=email.policy.compat32)
    return None


def _report_type(message) -> str:
    if message.get_content_type() != "multipart/report" or not message.is_multipart():
        return ""
    return email.utils.collapse_rfc2231_value(message.get_param("report-type") or "").lower()


def scrubbed(text: str) -> str:
    """The server's words without email addresses (the official's, and sometimes a supporter's)."""
    return " ".join(_EMAIL_RE.sub("[address]", text).split())[:300]


def is_auto_reply(message) -> bool:
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


def what_came_back(message) -> tuple[Kind, str, str]:
    """The kind of what came back, with the DSN's status and the server's words if it is one."""
    if is_complaint(message):
        return Kind.COMPLAINT, "", ""
    dsn = delivery_status(message)
    if dsn is None:
        return (Kind.AUTO_REPLY if is_auto_reply(message) else Kind.UNKNOWN), "", ""
    status, diagnostic = dsn
    return {"5": Kind.PERMANENT, "4": Kind.TEMPORARY}.get(status[:1], Kind.UNKNOWN), status, diagnostic


# Outbox messages: bounces+m<message>-<day>-<signature>@BOUNCE_DOMAIN. The "m" keeps them apart from
# the appeals' bounces+<appeal>-... addresses, which the same mail server pipes to `uadesk bounce`.
_MESSAGE_ADDRESS_RE = re.compile(r"bounces\+m(\d+)-(\d{8})-([0-9a-f]{12})@", re.IGNORECASE)


def message_bounce_address(message_pk: int, *, day: datetime.date | None = None) -> str | None:
    """The envelope sender of one outbox message: signed, so strangers cannot mark it bounced, and dated,
    so an address read off an old email marks nothing (as the appeals' addresses)."""
    if not settings.BOUNCE_DOMAIN:
        return None
    stamp = (day or timezone.now().date()).strftime("%Y%m%d")
    signature = _signature(f"m{message_pk}-{stamp}")
    return f"bounces+m{message_pk}-{stamp}-{signature}@{settings.BOUNCE_DOMAIN}"


def _signature(value: str) -> str:
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:12]


@dataclass(frozen=True)
class MessageBounce:
    """What came back to the bounce address of one outbox message."""

    message_pk: int
    kind: Kind
    made_on: datetime.date
    status: str = ""
    diagnostic: str = ""

    def expired(self, now: datetime.datetime) -> bool:
        """Past BOUNCE_ADDRESS_HOURS after the end of the day its address was made."""
        day_end = datetime.datetime.combine(
            self.made_on + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
        )
        return now > day_end + datetime.timedelta(hours=settings.BOUNCE_ADDRESS_HOURS)


def bounced_message(raw: bytes, *, recipient: str = "") -> MessageBounce | None:
    """What came back to an outbox message's bounce address, or None if it did not come to one of ours
    with a valid signature."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    places = [recipient] + [
        message.get(h, "") for h in ("Delivered-To", "X-Original-To", "To", "Envelope-To")
    ]
    if (original := returned_message(message)) is not None:
        places.append(original.get("Return-Path", ""))
    for place in places:
        match = _MESSAGE_ADDRESS_RE.search(str(place or ""))
        if match is None:
            continue
        pk, stamp, signature = match.groups()
        if not constant_time_compare(signature.lower(), _signature(f"m{pk}-{stamp}")):
            continue
        try:
            made_on = datetime.datetime.strptime(stamp, "%Y%m%d").date()
        except ValueError:
            continue
        kind, status, diagnostic = what_came_back(message)
        return MessageBounce(int(pk), kind, made_on, status=status, diagnostic=diagnostic)
    return None


def message_bounced(*, bounce: MessageBounce, now: datetime.datetime | None = None) -> str:
    """Hands what came back to the sender of the message's kind; says in one line what it changed."""
    from .models import Message
    from .outbox import registered_kinds, sender_for

    message = Message.objects.filter(pk=bounce.message_pk).first()
    if message is None or message.kind not in registered_kinds():
        return f"message {bounce.message_pk} no longer exists; ignored"
    if bounce.expired(now or timezone.now()):
        return f"message {message.pk}: refused, its bounce address has expired; nothing changed"
    return f"message {message.pk}: {sender_for(message.kind).bounced(message, bounce)}"
