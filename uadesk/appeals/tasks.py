"""The appeals' work on the task worker: delivering due appeals in batches, each sent once and recorded;
the email that asks a supporter to confirm their address; withdrawing letters never confirmed."""

import logging
import os
import socket
import time
import uuid

from django.conf import settings
from django.db import DatabaseError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from uadesk.database import connection_lost
from uadesk.delivery.email import EmailTransport, shared_transport
from uadesk.delivery.fax import EmailToFaxGateway
from uadesk.delivery.transport import OutgoingLetter, TransportError
from uadesk.ratelimit import allow

from .models import Appeal, DeliveryAttempt, DeliveryKick, EmailConfirmation

log = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{os.getpid()}"
BATCH = 50
# A run hands the worker back after this long, so other tasks are not starved by a long queue.
RUN_SECONDS = 30
transport = shared_transport


def deliveries_kick(*, run_after=None) -> None:
    """Queues a delivery run, unless one is already queued and not yet started."""
    if run_after is not None:
        deliver_appeals.using(run_after=run_after).enqueue()
        return
    DeliveryKick.objects.get_or_create(pk=1)
    if DeliveryKick.objects.filter(pk=1, pending=False).update(pending=True):
        deliver_appeals.enqueue()


def deliver_batch(batch: list[Appeal], *, token: str) -> int:
    """Sends a claimed batch, letter by letter. A letter's "sent" is committed in one transaction
    with the next letter's attempt row: one commit a letter instead of two, and the guarantee is the
    same, since each attempt is on record before its send and each send is recorded before the next."""
    sent, just_sent = 0, None
    for appeal in batch:
        try:
            with transaction.atomic():
                if just_sent:
                    just_sent[0].record_sent(just_sent[1])
                attempt = appeal.begin_attempt(token=token, worker=WORKER)
        except DatabaseError as error:
            if just_sent and connection_lost(error):
                record_sent_surely(*just_sent)
            raise
        just_sent = None
        if attempt is None:
            continue  # its lease ran out and another worker took it over
        if send(appeal, attempt):
            sent, just_sent = sent + 1, (appeal, attempt)
    if just_sent:
        record_sent_surely(*just_sent)
    return sent


def record_sent_surely(appeal: Appeal, attempt: DeliveryAttempt) -> None:
    """The mail server took the letter: were its record lost with a database connection cut at that
    moment, the letter would go again once its lease ran out. So once more, on a new connection."""
    try:
        appeal.record_sent(attempt)
    except DatabaseError as error:
        if not connection_lost(error):
            raise
        appeal.record_sent(attempt)


def send(appeal: Appeal, attempt: DeliveryAttempt) -> bool:
    """One letter out by its channel; a failure is recorded here, a success by the caller."""
    try:
        if appeal.channel == Appeal.Channel.FAX:
            gateway = EmailToFaxGateway(gateway_domain=settings.FAX_GATEWAY_DOMAIN, transport=transport())
            gateway.send(appeal.outgoing_letter(with_pdf=True), number=appeal.target.fax_list[0])
        else:
            transport().send(appeal.outgoing_letter(), to=appeal.target.email_list[0])
    except (TransportError, IndexError, ValueError) as error:
        permanent = not isinstance(error, TransportError) or error.permanent
        retry_at = appeal.record_failure(attempt, str(error) or type(error).__name__, permanent=permanent)
        if retry_at:
            deliveries_kick(run_after=retry_at)
        else:
            log.warning("appeal %s failed for good: %s", appeal.pk, error)
        return False
    return True


@task()
def deliver_appeals() -> int:
    """Sends every appeal that is due; safe to run at any time and in several workers at once."""
    # Cleared first: an appeal queued while this run goes on queues the next run.
    DeliveryKick.objects.filter(pk=1).update(pending=False)
    token, sent, stop_at = uuid.uuid4().hex, 0, time.monotonic() + RUN_SECONDS
    while batch := Appeal.claim_due(timezone.now(), token=token, limit=BATCH):
        sent += deliver_batch(batch, token=token)
        if time.monotonic() > stop_at:
            deliveries_kick()
            break
    return sent


@task()
def send_email_confirmation(confirmation_id: int) -> str:
    """Asks the owner of the address given with a compose form to confirm it, with a one-time link.

    It takes the row's id, not the address: the task's arguments are stored in the database."""
    confirmation = EmailConfirmation.objects.filter(pk=confirmation_id).first()
    if confirmation is None:
        return "gone"  # confirmed, expired or erased since
    # Anyone may write in anyone's name: one inbox gets a few of these an hour, however many forms.
    if not allow(
        "appeal-confirm:email",
        confirmation.email_hash,
        limit=settings.APPEAL_CONFIRM_EMAILS_PER_EMAIL,
        window=3600,
    ):
        return "too_many"
    appeals = list(
        Appeal.objects.filter(submission=confirmation.submission)
        .select_related("action", "target")
        .order_by("target__position")
    )
    if not appeals:
        return "gone"
    token = confirmation.new_link_token()
    with translation.override(confirmation.language or settings.LANGUAGE_CODE):
        path = reverse("appeals:confirm_email", kwargs={"token": token})
        context = {
            "action": appeals[0].action,
            "appeals": appeals,
            "desk_sends": any(a.channel in Appeal.DESK_CHANNELS for a in appeals),
            "confirm_url": f"{settings.LINK_BASE_URL}{path}",
            "days": settings.APPEAL_CONFIRM_DAYS,
        }
        letter = OutgoingLetter(
            subject=render_to_string("appeals/emails/confirm-subject.txt", context).strip(),
            text=render_to_string("appeals/emails/confirm-body.txt", context),
            html=render_to_string("appeals/emails/confirm-body.html", context),
        )
    with EmailTransport() as mail:
        mail.send(letter, to=confirmation.email)
    return "sent"


@task()
def expire_unconfirmed_appeals() -> int:
    from .services import appeals_expire_unconfirmed

    return appeals_expire_unconfirmed()
