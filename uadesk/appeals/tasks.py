"""The appeals' work on the task worker: withdrawing letters whose writer never confirmed their email.
The letters themselves, and the email that asks for that confirmation, go through the outbox
(appeals/outbox.py)."""

from django.tasks import task

from .services import appeals_expire_unconfirmed


@task()
def expire_unconfirmed_appeals() -> int:
    return appeals_expire_unconfirmed()
