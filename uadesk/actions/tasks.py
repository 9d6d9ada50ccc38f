"""Background work on actions, run by the task worker: closing at deadlines, queueing reminders."""

from django.conf import settings
from django.tasks import task

from .models import local_today
from .news import reminders_queue
from .services import actions_close_expired, reminders_due


@task()
def close_expired_actions() -> int:
    return actions_close_expired(today=local_today())


@task()
def queue_reminders() -> int:
    """Puts in the outbox each reminder whose time has come (a few days before the deadline)."""
    due = reminders_due(today=local_today(), days_before=settings.REMINDER_DAYS_BEFORE)
    return reminders_queue(due)
