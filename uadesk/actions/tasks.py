"""Background work on actions, run by the task worker: closing them at their deadlines."""

from django.tasks import task

from .models import local_today
from .services import actions_close_expired


@task()
def close_expired_actions() -> int:
    return actions_close_expired(today=local_today())
