"""Petition emails as messages in the outbox: confirm the signature, "you have already signed", "your
household's places are taken". Built when they go, with a fresh single-use link for a confirmation."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from uadesk.delivery.email import templated
from uadesk.delivery.models import Message
from uadesk.delivery.outbox import Envelope, Sender, sender_register
from uadesk.supporters.links import data_url
from uadesk.supporters.models import Supporter

from .models import Petition, Signature

KIND = Message.Kind.PETITION_EMAIL
# One email an hour per signature at most: the form can be sent by anyone, in anyone's name.
REMIND_SECONDS = 3600


def petition_email_queue(*, mail: str, petition: Petition, supporter: Supporter, signature=None) -> bool:
    """Queues one email to a signer, in the caller's transaction; a signature emailed within the hour
    (its last email not failed) gets none, so a form sent again and again floods no inbox."""
    if signature is not None:
        recent = timezone.now() - datetime.timedelta(seconds=REMIND_SECONDS)
        taken = Signature.objects.filter(pk=signature.pk).filter(
            Q(emailed_at__isnull=True) | Q(emailed_at__lt=recent)
        )
        if not taken.update(emailed_at=timezone.now()):
            return False
    params = {"mail": mail, "petition": petition.pk, "supporter": supporter.pk}
    Message.objects.create(kind=KIND, ref=signature.pk if signature else 0, params=params)
    return True


class PetitionEmailSender(Sender):
    kind = KIND
    about = "petitions.signature"

    def envelopes(self, messages):
        # One query per table for the batch, not three per email: signing is the busiest path.
        petitions = Petition.objects.in_bulk({m.params.get("petition") for m in messages} - {None})
        supporters = Supporter.objects.in_bulk({m.params.get("supporter") for m in messages} - {None})
        signatures = Signature.objects.in_bulk({m.ref for m in messages if m.ref})
        return {
            m.pk: self.envelope(
                m,
                petitions.get(m.params.get("petition")),
                supporters.get(m.params.get("supporter")),
                signatures.get(m.ref),
            )  # fmt: skip
            for m in messages
        }

    def envelope(self, message: Message, petition, supporter, signature) -> Envelope | str:
        params = message.params
        if petition is None or supporter is None or (message.ref and signature is None):
            return "erased or deleted since"
        mail = params.get("mail")
        if mail == "confirm" and signature.is_confirmed:
            mail = "already"
        # The email greets the signer by the name they typed even when it is counted without it: it goes
        # to their own inbox alone, where the petition's title already says what they signed, and a
        # greeting by another name would be the one sign that someone else used their address.
        context = {"petition": petition, "data_url": data_url(supporter), "signature": signature}
        language = (signature.language if signature else "") or supporter.language or settings.LANGUAGE_CODE
        with translation.override(language):
            if mail == "confirm":
                # A new link on each try: an older copy of the email stops working.
                path = reverse("petitions:confirm", kwargs={"token": signature.new_link_token()})
                context["confirm_url"] = f"{settings.LINK_BASE_URL}{path}"
            letter = templated(f"petitions/emails/{mail}", context)
        return Envelope("email", letter, supporter.email)

    def became(self, status: str, refs: list[int]) -> None:
        if status in (Message.Status.FAILED, Message.Status.CANCELLED):
            # The signer sees "no email? sign again", and signing again must send it.
            Signature.objects.filter(pk__in=refs).update(emailed_at=None)


def register() -> None:
    sender_register(PetitionEmailSender())
