"""The link to a supporter's data page, as a message in the outbox."""

from django.conf import settings
from django.utils import translation

from uadesk.delivery.email import templated
from uadesk.delivery.models import Message
from uadesk.delivery.outbox import Envelope, Sender, sender_register
from uadesk.delivery.services import message_queue

from .links import data_url
from .models import Supporter


def data_link_queue(email_hash: str, *, request_key: str = "") -> Message:
    """Asked for by an address, known or not: the request does the same work either way, so the message
    names no row (ref 0) but the address's keyed hash, and its supporter is found when it goes. The
    request's key (random, per request) lets a second run of the request find the first's message."""
    return message_queue(Message.Kind.DATA_LINK, 0, params={"email_hash": email_hash, "request": request_key})


class DataLinkSender(Sender):
    kind = Message.Kind.DATA_LINK

    def envelopes(self, messages):
        return {m.pk: self.envelope(m.params.get("email_hash", "")) for m in messages}

    def envelope(self, email_hash: str) -> Envelope | str:
        supporter = Supporter.objects.filter(email_hash=email_hash).first() if email_hash else None
        if supporter is None:
            return "no supporter has this address"
        # Older links keep working: anyone can ask in anyone's name, and that must not end the links
        # in the owner's emails.
        with translation.override(supporter.page_language):
            context = {"url": data_url(supporter), "max_age_days": settings.SUPPORTER_LINK_MAX_AGE_DAYS}
            letter = templated("supporters/emails/data-link", context)
        return Envelope("email", letter, supporter.email)


def register() -> None:
    sender_register(DataLinkSender())
