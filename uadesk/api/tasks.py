"""Webhook work on the task worker: each event's deliveries made, sent, and missed events swept up."""

import datetime

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .services import (
    webhook_deliver,
    webhook_deliveries_create,
    webhook_deliveries_stalled,
    webhook_events_missing,
)


@task()
def webhooks_fan_out(event: str, object_id: int) -> int:
    """One delivery per webhook for this event, each sent by a task of its own."""
    ids = webhook_deliveries_create(event=event, object_id=object_id)
    for delivery_id in ids:
        deliver_webhook.enqueue(delivery_id)
    return len(ids)


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One signed POST; a failure queues the next try after the backoff. Safe to run twice."""
    retry_at = webhook_deliver(delivery_id=delivery_id)
    if retry_at is not None:
        deliver_webhook.using(run_after=retry_at).enqueue(delivery_id)
        return "retry"
    return "done"


@task()
def sweep_webhook_events() -> int:
    """Finds counted appeals and confirmed signatures of the last WEBHOOK_SWEEP_HOURS that no signal
    announced (the models change their status with UPDATE statements) and fans them out; queues again
    the deliveries whose task was lost."""
    now = timezone.now()
    missing = webhook_events_missing(since=now - datetime.timedelta(hours=settings.WEBHOOK_SWEEP_HOURS))
    for event, object_id in missing:
        for delivery_id in webhook_deliveries_create(event=event, object_id=object_id):
            deliver_webhook.enqueue(delivery_id)
    for delivery_id in webhook_deliveries_stalled(now=now):
        deliver_webhook.enqueue(delivery_id)
    return len(missing)
