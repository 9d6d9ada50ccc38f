"""Delivering appeals on the task worker: due appeals claimed in batches, each sent once and recorded."""

import logging
import os
import socket
import time
import uuid

from django.conf import settings
from django.db import DatabaseError, transaction
from django.tasks import task
from django.utils import timezone

from uadesk.database import connection_lost
from uadesk.delivery.email import shared_transport
from uadesk.delivery.fax import EmailToFaxGateway
from uadesk.delivery.transport import TransportError

from .models import Appeal, DeliveryAttempt, DeliveryKick

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
