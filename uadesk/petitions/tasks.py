"""Background work on petitions: turning forms into signatures, tidying up. Their emails go through
the outbox (petitions/outbox.py)."""

import threading
import time

from django.tasks import task
from django.utils import timezone

from .services import petitions_tidy, submissions_process

# A queue drain hands the worker back after this long, queueing the next one.
RUN_SECONDS = 20


@task()
def submissions_drain() -> int:
    """Makes every waiting form a signature; safe to run at any time and in several workers."""
    taken, stop_at = 0, time.monotonic() + RUN_SECONDS
    while count := submissions_process():
        taken += count
        if time.monotonic() > stop_at:
            submissions_drain.enqueue()
            break
    return taken


_kick_lock = threading.Lock()
_next_kick = 0.0


def submissions_kick() -> None:
    """Queues a drain a second from now, at most once a second per web process.

    Signing thus writes one row, not a task per form; every form taken in that second is in the
    queue when the drain runs. The scheduler's periodic drain catches any that slip past."""
    global _next_kick
    if not submissions_drain.get_backend().supports_defer:
        return  # a backend that cannot wait a second: the scheduler's periodic drain takes them
    now = time.monotonic()
    with _kick_lock:
        if now < _next_kick:
            return
        _next_kick = now + 1.0
    submissions_drain.using(run_after=timezone.now() + timezone.timedelta(seconds=1)).enqueue()


@task()
def petitions_housekeeping() -> tuple[int, int]:
    return petitions_tidy()
