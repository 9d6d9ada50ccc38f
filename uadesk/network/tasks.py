"""The network's work on the task worker: writing a mailing's recipients, starting scheduled mailings
and closing finished ones."""

from django.tasks import task
from django.utils import timezone

from .mailings import mailing_queue_recipients, mailings_due, mailings_finish
from .models import Mailing


@task()
def mailing_queue(mailing_pk: int) -> int:
    """Plans and queues a mailing's recipients; run again after a crash, it goes on where it stopped."""
    mailing = Mailing.objects.filter(pk=mailing_pk).select_related("action").first()
    if mailing is None or not mailing.is_under_way():
        return 0
    written = mailing_queue_recipients(mailing)
    Mailing.objects.filter(pk=mailing_pk, queued_all_at__isnull=True).update(queued_all_at=timezone.now())
    return written


@task()
def mailings_tick() -> int:
    """Scheduled mailings whose time came start; mailings whose every email went are marked sent.
    (A queuing task whose worker died runs again by the desk's requeue_interrupted_tasks.)"""
    return mailings_due() + mailings_finish()
