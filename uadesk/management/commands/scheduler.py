"""`uadesk scheduler`: queues the periodic tasks of uadesk.schedule for the workers, until stopped."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from uadesk.schedule import SCHEDULE


class Command(BaseCommand):
    help = "Queues periodic tasks (closing actions at their deadline, requeueing stalled deliveries)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="queue every periodic task once and stop")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiply every interval (tests use 0.01)"
        )

    def handle(self, *args, once: bool = False, scale: float = 1.0, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        due = dict.fromkeys(range(len(SCHEDULE)), 0.0)
        while not stopping:
            # As each request does: a connection the database server dropped is replaced.
            close_old_connections()
            now = time.monotonic()
            for index, (task, interval) in enumerate(SCHEDULE):
                if now >= due[index]:
                    try:
                        task.enqueue()
                    except DatabaseError as error:
                        if once:
                            raise
                        # The database is away for a moment (a restart, a cut connection): the task
                        # stays due and is queued at the next tick; the scheduler must not stop.
                        self.stderr.write(f"could not queue {task.name}: {error}")
                        break
                    due[index] = now + interval * scale
                    self.stdout.write(f"queued {task.name}")
            if once:
                return
            time.sleep(min(1.0, max(0.05, min(due.values()) - time.monotonic())))
