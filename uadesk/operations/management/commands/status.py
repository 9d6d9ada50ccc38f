"""`uadesk status`: the desk's health in the terminal, one line a check; exit status 1 when unhealthy."""

import datetime
import sys

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.db.models import Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import get_random_string

from uadesk.delivery.models import Message
from uadesk.operations.figures import task_activity


def short(error: BaseException) -> str:
    """The error's first line, as a monitor's alert shows it."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


class Command(BaseCommand):
    help = "Checks the database, the cache, the workers and the outbox; exit status 1 when unhealthy."
    requires_system_checks = []

    def handle(self, *args, **options):
        problems = []
        now = timezone.now()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as error:  # any failure to connect is the one answer here
            self.stdout.write(f"database: unreachable ({short(error)})")
            self.stdout.write("unhealthy: database unreachable")
            sys.exit(1)
        self.stdout.write(f"database: reachable ({connection.vendor})")
        problems += self.check_cache()
        try:
            problems += self.check_workers(now)
            problems += self.check_outbox(now)
            problems += self.check_federation(now)
        except DatabaseError as error:
            self.stdout.write(f"database: failed during the checks ({short(error)})")
            problems.append("database failed during the checks")
        if problems:
            self.stdout.write(f"unhealthy: {'; '.join(problems)}")
            sys.exit(1)
        self.stdout.write("healthy")

    def check_cache(self) -> list[str]:
        key, value = f"uadesk-status:{get_random_string(12)}", get_random_string(12)
        try:
            cache.set(key, value, timeout=30)
            read = cache.get(key)
            cache.delete(key)
        except Exception as error:  # Redis and the database cache raise their own errors
            self.stdout.write(f"cache: unreachable ({short(error)})")
            return ["cache unreachable"]
        if read != value:
            self.stdout.write("cache: a value set was not read back")
            return ["cache does not keep values"]
        self.stdout.write("cache: set and read back")
        return []

    def check_workers(self, now: datetime.datetime) -> list[str]:
        silence = settings.STATUS_WORKER_SILENCE_SECONDS
        activity = task_activity(now, silence)
        started = [moment for moment in activity.last_started.values() if moment]
        lag = max(activity.lag.values(), default=0.0)
        newest = max(started, default=None)
        since = (
            f"last task started {int((now - newest).total_seconds())} s ago"
            if newest
            else "no task ever started"
        )
        self.stdout.write(
            f"workers: {activity.workers_seen} seen in the last {silence} s; {since}; "
            f"oldest due task waiting {int(lag)} s"
        )
        problems = []
        if newest is None or (now - newest).total_seconds() > silence:
            problems.append(f"no task started in the last {silence} s (workers or scheduler stopped)")
        if lag > settings.STATUS_MAX_TASK_LAG_SECONDS:
            problems.append(f"a task has waited {int(lag)} s for a worker")
        return problems

    def check_outbox(self, now: datetime.datetime) -> list[str]:
        # Copies of a mailing wait their turn behind everything else for hours: not a sign of trouble.
        # A message set for later (a retry, a paced letter) is due from then.
        due = Message.objects.filter(status=Message.Status.WAITING, bulk=False).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )
        oldest = due.aggregate(since=Min(Coalesce("next_attempt_at", "created_at")))["since"]
        waited = int((now - oldest).total_seconds()) if oldest else 0
        self.stdout.write(
            f"outbox: oldest due message waiting {waited} s" if oldest else "outbox: no message due"
        )
        problems = []
        if waited > settings.STATUS_MAX_DUE_SECONDS:
            problems.append(f"a message has been due for {waited} s")
        failed = Message.objects.filter(status=Message.Status.FAILED)
        recent = failed.filter(created_at__gte=now - datetime.timedelta(days=1)).count()
        self.stdout.write(
            f"failing deliveries: {failed.count()} failed in the outbox, {recent} of the last day's"
        )
        if recent > settings.STATUS_MAX_FAILED_MESSAGES:
            problems.append(f"{recent} messages of the last day failed")
        return problems

    def check_federation(self, now: datetime.datetime) -> list[str]:
        from uadesk.federation.models import Subscription

        silence = settings.STATUS_MAX_FEED_SILENCE_SECONDS
        problems = []
        for subscription in Subscription.objects.filter(failures__gt=0):
            waited = int((now - (subscription.pulled_at or subscription.created_at)).total_seconds())
            self.stdout.write(
                f"feed {subscription.name}: {subscription.failures} failed pulls ({subscription.last_error})"
            )
            # One failed pull is a blip (the office restarting); an hour of them is a broken link.
            if waited > silence:
                problems.append(f"the feed of {subscription.name} has not been pulled for {waited} s")
        return problems
