"""Supporters' background work: the retention rule. The link to their data page goes through the
outbox (supporters/outbox.py)."""

from django.tasks import task

from .services import supporters_forget_inactive


@task()
def forget_inactive_supporters() -> int:
    return supporters_forget_inactive()
