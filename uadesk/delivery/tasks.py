"""The outbox's work on the task worker: delivery runs, each taking due messages in batches."""

import time
import uuid

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .email import shared_transport
from .fax import fax_gateway
from .models import RunKick
from .outbox import Run, claim_due, deliver_batch
from .webhook import WebhookTransport

BATCH = 50
# A mailing's copies go in larger batches: a batch's claim and reads cost as much for 200 as for 50,
# and staff who pause a mailing stop it after the batch under way, a second or so of sending.
BULK_BATCH = 200
# A run hands the worker back after this long, so other tasks are not starved by a long queue.
RUN_SECONDS = 30


def transports() -> dict:
    """One transport per channel; email and fax share the worker's one SMTP connection."""
    email = shared_transport()
    return {
        "email": email,
        "fax": fax_gateway(settings.FAX_GATEWAY_DOMAIN, transport=email),
        "webhook": WebhookTransport(),
    }


def runs_kick(*, run_after=None) -> None:
    """Queues a delivery run, unless one is already queued and not yet started."""
    if run_after is not None:
        deliver_messages.using(run_after=run_after).enqueue()
        return
    RunKick.objects.get_or_create(pk=1)
    if RunKick.objects.filter(pk=1, pending=False).update(pending=True):
        deliver_messages.enqueue()


@task()
def deliver_messages() -> int:
    """Sends every message that is due; safe to run at any time and in several workers at once."""
    # Cleared first: a message queued while this run goes on queues the next run.
    RunKick.objects.filter(pk=1).update(pending=False)
    token, run, stop_at = uuid.uuid4().hex, Run(), time.monotonic() + RUN_SECONDS
    channels = transports()
    while batch := claim_due(timezone.now(), token=token, limit=BATCH, bulk_limit=BULK_BATCH):
        if len(batch) >= BATCH:
            # A full batch: more may be waiting, so one more run is queued for an idle worker to join
            # (once: the flag cleared above is set again). Runs share the work through their claims.
            runs_kick()
        deliver_batch(batch, token=token, transports=channels, run=run)
        if time.monotonic() > stop_at:
            runs_kick()
            break
    if run.retry_at:
        runs_kick(run_after=run.retry_at)
    return run.sent
