"""Supporters' background work: the retention rule, and reminders whose time has come. Their emails
go through the outbox (supporters/outbox.py, supporters/news.py)."""

from django.conf import settings
from django.tasks import task

from uadesk.actions.models import local_today

from .news import reminders_due, reminders_queue
from .services import supporters_forget_inactive


@task()
def queue_reminders() -> int:
    """Puts in the outbox each reminder whose time has come (a few days before the deadline)."""
    return reminders_queue(reminders_due(today=local_today(), days_before=settings.REMINDER_DAYS_BEFORE))


@task()
def forget_inactive_supporters() -> int:
    return supporters_forget_inactive()
