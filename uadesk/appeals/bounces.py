"""Bounces: each appeal's own envelope sender, and reading a delivery status notification that comes back."""

import email
import email.policy
import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "uadesk.appeals.bounce"


def bounce_address(appeal_pk: int) -> str | None:
    """bounces+<appeal>-<signature>@domain: the signature keeps strangers from marking letters bounced."""
    if not settings.BOUNCE_DOMAIN:
        return None
    return f"bounces+{appeal_pk}-{_signature(appeal_pk)}@{settings.BOUNCE_DOMAIN}"


def _signature(appeal_pk: int) -> str:
    return salted_hmac(_SALT, str(appeal_pk), algorithm="sha256").hexdigest()[:12]


_ADDRESS_RE = re.compile(r"bounces\+(\d+)-([0-9a-f]{12})@", re.IGNORECASE)
_STATUS_RE = re.compile(r"^Status:\s*([245])\.\d{1,3}\.\d{1,3}", re.IGNORECASE | re.MULTILINE)


def bounced_appeal(raw: bytes, *, recipient: str = "") -> tuple[int, bool] | None:
    """(appeal id, permanent) for a bounce of one of our letters, or None if it is not one.

    The mail server gives the address the bounce came to (`recipient`), or it is in the headers.
    A status of 5.x.x is a permanent failure; 4.x.x is the server still trying; no status, as in
    many plain-text bounces, counts as permanent.
    """
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    places = [recipient] + [
        message.get(h, "") for h in ("Delivered-To", "X-Original-To", "To", "Envelope-To")
    ]
    for place in places:
        if (match := _ADDRESS_RE.search(place or "")) and constant_time_compare(
            match.group(2).lower(), _signature(int(match.group(1)))
        ):
            appeal_pk = int(match.group(1))
            break
    else:
        return None
    statuses = []
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            text = "".join(p.as_string() for p in payload) if isinstance(payload, list) else str(payload)
            statuses += _STATUS_RE.findall(text)
    if not statuses:
        statuses = _STATUS_RE.findall(raw.decode("utf-8", "replace"))
    permanent = not statuses or "5" in statuses
    return appeal_pk, permanent
