"""Background work on petitions: turning forms into signatures, the emails they need, tidying up."""

import logging
import threading
import time

from django.conf import settings
from django.db.models import F, Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from uadesk.delivery.email import shared_transport
from uadesk.delivery.transport import OutgoingLetter, TransportError
from uadesk.supporters.links import data_url
from uadesk.supporters.models import Supporter

from .models import Petition, Signature

log = logging.getLogger(__name__)
# A queue drain hands the worker back after this long, queueing the next one.
RUN_SECONDS = 20
# One "you have already signed" email an hour per signature at most: the form can be sent by anyone.
REMIND_SECONDS = 3600
# A send that has not finished after this long is taken for lost with its worker.
SEND_LEASE_SECONDS = 60
transport = shared_transport


@task()
def submissions_drain() -> int:
    """Makes every waiting form a signature; safe to run at any time and in several workers."""
    from .services import submissions_process

    taken, stop_at = 0, time.monotonic() + RUN_SECONDS
    while count := submissions_process():
        taken += count
        if time.monotonic() > stop_at:
            submissions_drain.enqueue()
            break
    return taken


_kick_lock = threading.Lock()
_next_kick = 0.0


def submissions_kick() -> None:
    """Queues a drain a second from now, at most once a second per web process.

    Signing thus writes one row, not a task per form; every form taken in that second is in the
    queue when the drain runs. The scheduler's periodic drain catches any that slip past."""
    global _next_kick
    if not submissions_drain.get_backend().supports_defer:
        return  # a backend that cannot wait a second: the scheduler's periodic drain takes them
    now = time.monotonic()
    with _kick_lock:
        if now < _next_kick:
            return
        _next_kick = now + 1.0
    submissions_drain.using(run_after=timezone.now() + timezone.timedelta(seconds=1)).enqueue()


@task()
def signature_mails_send(*, mails: list[dict]) -> list[str]:
    """The emails of one batch of forms, over one SMTP connection; one that fails does not stop the rest."""
    outcomes = []
    for mail in mails:
        try:
            outcomes.append(signature_mail_send(**mail))
        except TransportError:
            outcomes.append("failed")
    return outcomes


def signature_mail_send(*, kind: str, petition_id: int, supporter_id: int, signature_id: int | None) -> str:
    """One email to a signer: confirm (with a fresh single-use link), already signed, or household full."""
    petition = Petition.objects.filter(pk=petition_id).first()
    supporter = Supporter.objects.filter(pk=supporter_id).first()
    if petition is None or supporter is None:
        return "gone"  # erased or deleted since
    signature = Signature.objects.filter(pk=signature_id).first() if signature_id else None
    if signature_id and signature is None:
        return "gone"
    now = timezone.now()
    if signature is not None:
        recent = now - timezone.timedelta(seconds=REMIND_SECONDS)
        in_flight = now - timezone.timedelta(seconds=SEND_LEASE_SECONDS)
        # Only the first email of a signature goes at once; a repeat waits an hour (claimed in one
        # UPDATE). A claim whose send never finished does not count once its minute is over.
        sent_or_sending = Q(email_sent_at__gte=F("emailed_at")) | Q(emailed_at__gt=in_flight)
        if (
            not Signature.objects.filter(pk=signature.pk)
            .exclude(Q(emailed_at__gt=recent) & sent_or_sending)
            .update(emailed_at=now)
        ):
            return "recently_emailed"
    if kind == "confirm" and signature is not None and signature.is_confirmed:
        kind = "already"
    context = {"petition": petition, "data_url": data_url(supporter), "signature": signature}
    token = signature.new_link_token() if kind == "confirm" else ""
    language = (signature.language if signature else "") or supporter.language or settings.LANGUAGE_CODE
    with translation.override(language):
        if kind == "confirm":
            path = reverse("petitions:confirm", kwargs={"token": token})
            context["confirm_url"] = f"{settings.LINK_BASE_URL}{path}"
        letter = OutgoingLetter(
            subject=render_to_string(f"petitions/emails/{kind}-subject.txt", context).strip(),
            text=render_to_string(f"petitions/emails/{kind}-body.txt", context),
            html=render_to_string(f"petitions/emails/{kind}-body.html", context),
        )
    try:
        transport().send(letter, to=supporter.email)
    except TransportError as error:
        if signature is not None:  # let a retry, or the signer's next try, send it again
            Signature.objects.filter(pk=signature.pk).update(emailed_at=None)
        # The signer sees "no email? sign again", and signing again sends it.
        log.warning("petition email %s to supporter %s failed: %s", kind, supporter.pk, error)
        raise
    if signature is not None:
        Signature.objects.filter(pk=signature.pk).update(email_sent_at=timezone.now())
    return kind


@task()
def petitions_housekeeping() -> tuple[int, int]:
    from .services import petitions_tidy

    return petitions_tidy()
