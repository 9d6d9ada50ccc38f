"""Webhook work on the task worker: each event's deliveries made, and missed events swept up. The
deliveries themselves go through the outbox (uadesk.delivery)."""

import datetime

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .services import webhook_deliveries_create, webhook_events_missing


@task()
def webhooks_fan_out(event: str, object_id: int) -> int:
    """One delivery per webhook for this event, each a message in the outbox."""
    return webhook_deliveries_create(event=event, object_id=object_id)


@task()
def sweep_webhook_events() -> int:
    """Finds counted appeals and confirmed signatures of the last WEBHOOK_SWEEP_HOURS that no signal
    announced (the models change their status with UPDATE statements) and fans them out."""
    now = timezone.now()
    missing = webhook_events_missing(since=now - datetime.timedelta(hours=settings.WEBHOOK_SWEEP_HOURS))
    for event, object_id in missing:
        webhook_deliveries_create(event=event, object_id=object_id)
    return len(missing)
