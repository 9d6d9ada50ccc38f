"""Delivering appeals on the task worker: each appeal claimed by one worker, sent, and recorded."""

import datetime
import logging
import os
import socket

from django.conf import settings
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from uadesk.delivery.email import EmailTransport
from uadesk.delivery.fax import EmailToFaxGateway
from uadesk.delivery.transport import TransportError

from .models import Appeal, DeliveryAttempt

log = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{os.getpid()}"


@task()
def deliver_appeal(appeal_id: int) -> str:
    appeal = Appeal.objects.select_related("action", "target").get(pk=appeal_id)
    if not appeal.claim(timezone.now()):
        return "not claimed"  # another worker has it, it is done, or its retry is not due yet
    # The attempt is on record before the send: a crash leaves an unfinished attempt, not silence.
    attempt = DeliveryAttempt.objects.create(appeal=appeal, number=appeal.attempts, worker=WORKER)
    try:
        with EmailTransport() as transport:
            if appeal.channel == Appeal.Channel.FAX:
                fax_number = appeal.target.fax_list[0]
                gateway = EmailToFaxGateway(gateway_domain=settings.FAX_GATEWAY_DOMAIN, transport=transport)
                gateway.send(appeal.outgoing_letter(with_pdf=True), number=fax_number)
            else:
                transport.send(appeal.outgoing_letter(), to=appeal.target.email_list[0])
    except (TransportError, IndexError, ValueError) as error:
        permanent = not isinstance(error, TransportError) or error.permanent
        retry_at = appeal.record_failure(attempt, str(error) or type(error).__name__, permanent=permanent)
        if retry_at:
            deliver_appeal.using(run_after=retry_at).enqueue(appeal_id)
            return f"retry at {retry_at.isoformat()}"
        log.warning("appeal %s failed for good: %s", appeal_id, error)
        return "failed"
    appeal.record_sent(attempt)
    return "sent"


@task()
def requeue_stalled_appeals() -> int:
    """Safe to run at any time: queues again the appeals whose worker died or whose retry is due."""
    now = timezone.now()
    lease = datetime.timedelta(seconds=settings.APPEAL_DELIVERY_LEASE_SECONDS)
    stalled = Appeal.objects.filter(
        Q(status=Appeal.Status.SENDING, claimed_until__lt=now)
        | Q(status=Appeal.Status.QUEUED, next_attempt_at__lte=now)
        # Queued long ago and never claimed: its task was lost with a worker.
        | Q(status=Appeal.Status.QUEUED, next_attempt_at__isnull=True, created_at__lt=now - lease)
    )
    ids = list(stalled.values_list("pk", flat=True))
    for appeal_id in ids:
        deliver_appeal.enqueue(appeal_id)
    return len(ids)
