"""The federation's work on the task worker: pulling the office desks' feeds, and reporting back."""

import logging

from django.tasks import task

from .models import Subscription
from .pull import PullError, subscription_pull
from .reporting import report_send, reports_due

log = logging.getLogger(__name__)


@task()
def federation_pull() -> int:
    """Every subscription's new and changed actions; an office desk that is down leaves this desk as
    it was, its error kept for staff, and the next run starts from the same place."""
    taken = 0
    for subscription in Subscription.objects.select_related("section"):
        try:
            result = subscription_pull(subscription)
        except PullError as error:
            log.warning("feed of %s not pulled: %s", subscription.name, error)
            continue
        taken += len(result.created) + len(result.changed)
    return taken


@task()
def federation_report() -> int:
    """Sends every report that is due; one that fails (its office down) goes again on the next run, and
    does not keep the others from going."""
    sent = 0
    for entry in reports_due():
        try:
            sent += report_send(entry)
        except Exception:
            # Something of this desk's own (a token that no longer unseals): the other offices still hear.
            log.exception("report on the office's action %s not sent", entry.remote_id)
    return sent
