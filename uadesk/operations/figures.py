"""The desk's figures for operators, each from one aggregate query: counts by kind, status, channel or
queue, never a row's content, so nothing personal can reach a label or a value."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db.models import Case, Count, F, Max, Min, Q, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from uadesk.appeals.models import Appeal, TargetBounce
from uadesk.delivery.models import Message
from uadesk.network.models import Mailing, Recipient, Suppression
from uadesk.petitions.models import Signature


@dataclass
class Metric:
    name: str
    kind: str  # "gauge" or "counter"
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def add(self, value: float, **labels: str) -> None:
        self.samples.append((labels, value))


def seconds(now: datetime.datetime, then: datetime.datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then else 0.0


def outbox_figures(now: datetime.datetime) -> list[Metric]:
    waiting = Metric("uadesk_outbox_waiting_messages", "gauge", "Messages waiting in the outbox, by kind.")
    oldest = Metric(
        "uadesk_outbox_oldest_waiting_age_seconds",
        "gauge",
        "Age of the oldest message waiting in the outbox, by kind (a retry or a paced letter waits too).",
    )
    overdue = Metric(
        "uadesk_outbox_oldest_due_age_seconds",
        "gauge",
        "How long the longest-due waiting message has been due without a worker taking it, by kind.",
    )
    # Due since it was queued, or since the retry or pace set it for; a message due later is not late.
    due_since = Coalesce("next_attempt_at", "created_at")
    rows = (
        Message.objects.filter(status=Message.Status.WAITING)
        .values("kind")
        .annotate(
            n=Count("pk"),
            oldest=Min("created_at"),
            due=Min(
                Case(When(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), then=due_since))
            ),
        )
        .order_by("kind")
    )
    # Every kind, 0 where none waits: an alert on a kind then never meets a missing series.
    found = {row["kind"]: row for row in rows}
    for kind in Message.Kind.values:
        row = found.get(kind, {"n": 0, "oldest": None, "due": None})
        waiting.add(row["n"], kind=kind)
        oldest.add(seconds(now, row["oldest"]), kind=kind)
        overdue.add(seconds(now, row["due"]), kind=kind)
    messages = Metric("uadesk_outbox_messages", "gauge", "Messages in the outbox, by kind and status.")
    for row in Message.objects.values("kind", "status").annotate(n=Count("pk")).order_by("kind", "status"):
        messages.add(row["n"], kind=row["kind"], status=row["status"])
    appeals = Metric(
        "uadesk_appeals", "gauge", "Letters to officials, by channel and status (sent, queued, bounced...)."
    )
    for row in (
        Appeal.objects.values("channel", "status").annotate(n=Count("pk")).order_by("channel", "status")
    ):
        appeals.add(row["n"], channel=row["channel"], status=row["status"])
    return [waiting, oldest, overdue, messages, appeals]


def bounce_figures() -> list[Metric]:
    bounces = Metric(
        "uadesk_target_bounces",
        "gauge",
        "Letters to officials that came back, by kind (permanent, or not a delivery report).",
    )
    for row in TargetBounce.objects.values("kind").annotate(n=Count("pk")).order_by("kind"):
        bounces.add(row["n"], kind=row["kind"])
    suppressions = Metric(
        "uadesk_suppressions",
        "gauge",
        "Addresses the network never mails again, by reason (hard_bounce, soft_bounces, complaint...).",
    )
    for row in Suppression.objects.values("reason").annotate(n=Count("pk")).order_by("reason"):
        suppressions.add(row["n"], reason=row["reason"])
    return [bounces, suppressions]


def mailing_figures() -> list[Metric]:
    mailings = Metric("uadesk_mailings", "gauge", "Mailings to the network, by status.")
    for row in Mailing.objects.values("status").annotate(n=Count("pk")).order_by("status"):
        mailings.add(row["n"], status=row["status"])
    # Of the mailings under way only: the recipients of every mailing ever sent is a big table to count,
    # and the progress of the ones going is what an operator watches.
    recipients = Metric(
        "uadesk_mailing_recipients",
        "gauge",
        "Recipients of the mailings under way (sending or paused), by channel and status.",
    )
    under_way = Recipient.objects.filter(mailing__status__in=[Mailing.Status.SENDING, Mailing.Status.PAUSED])
    for row in under_way.values("channel", "status").annotate(n=Count("pk")).order_by("channel", "status"):
        recipients.add(row["n"], channel=row["channel"], status=row["status"])
    return [mailings, recipients]


def signature_figures(now: datetime.datetime) -> list[Metric]:
    last_minute = Metric(
        "uadesk_signatures_last_minute", "gauge", "Petition signatures made in the last 60 seconds."
    )
    last_minute.add(Signature.objects.filter(created_at__gt=now - datetime.timedelta(seconds=60)).count())
    signatures = Metric("uadesk_signatures", "gauge", "Petition signatures, confirmed or not yet.")
    counts = Signature.objects.aggregate(
        all=Count("pk"), confirmed=Count("pk", filter=Q(confirmed_at__isnull=False))
    )
    signatures.add(counts["confirmed"], state="confirmed")
    signatures.add(counts["all"] - counts["confirmed"], state="unconfirmed")
    return [last_minute, signatures]


@dataclass
class TaskActivity:
    """What the task table tells of the workers: django-tasks-db keeps no heartbeat of its own."""

    lag: dict[str, float]  # queue -> seconds the oldest due task has waited
    last_started: dict[str, datetime.datetime | None]
    last_finished: dict[str, datetime.datetime | None]
    counts: dict[tuple[str, str], int]  # (queue, status) -> tasks
    workers_seen: int  # different worker ids that started a task within WORKER_WINDOW


def task_activity(now: datetime.datetime, window: int) -> TaskActivity:
    # A task queued without a time to run after carries the far future (django-tasks-db); it is due
    # from its queueing. One requeued after a lost worker keeps its first queueing time.
    never = get_date_max()
    due_from = Case(
        When(run_after=never, then=F("enqueued_at")), default=Greatest("enqueued_at", "run_after")
    )
    ready = DBTaskResult.objects.ready().values("queue_name").annotate(oldest=Min(due_from)).order_by()
    lag = {row["queue_name"]: seconds(now, row["oldest"]) for row in ready}
    last_started, last_finished, counts = {}, {}, {}
    rows = (
        DBTaskResult.objects.values("queue_name", "status")
        .annotate(n=Count("pk"), started=Max("started_at"), finished=Max("finished_at"))
        .order_by()
    )
    for row in rows:
        queue = row["queue_name"]
        counts[(queue, row["status"])] = row["n"]
        for newest, moment in ((last_started, row["started"]), (last_finished, row["finished"])):
            if moment and (newest.get(queue) is None or moment > newest[queue]):
                newest[queue] = moment
            newest.setdefault(queue, None)
    # Only the few tasks started within the window: their worker ids, never shown, only counted.
    recent = DBTaskResult.objects.filter(started_at__gte=now - datetime.timedelta(seconds=window))
    workers = {worker for ids in recent.values_list("worker_ids", flat=True) for worker in ids[-1:]}
    return TaskActivity(lag, last_started, last_finished, counts, len(workers))


def task_figures(now: datetime.datetime) -> list[Metric]:
    window = settings.STATUS_WORKER_SILENCE_SECONDS
    activity = task_activity(now, window)
    lag = Metric(
        "uadesk_task_lag_seconds", "gauge", "How long the oldest due task has waited for a worker, by queue."
    )
    queues = sorted(set(activity.last_started) | set(activity.lag) | set(settings.TASKS["default"]["QUEUES"]))
    for queue in queues:
        lag.add(activity.lag.get(queue, 0.0), queue=queue)
    tasks = Metric("uadesk_tasks", "gauge", "Tasks in the task table, by queue and status.")
    for (queue, status), n in sorted(activity.counts.items()):
        tasks.add(n, queue=queue, status=status)
    started = Metric(
        "uadesk_task_last_started_age_seconds",
        "gauge",
        "Seconds since a worker last started a task, by queue: django-tasks-db records no heartbeat, so "
        "this stands for one (the scheduler queues tasks every minute).",
    )
    finished = Metric(
        "uadesk_task_last_finished_age_seconds",
        "gauge",
        "Seconds since a task last finished, by queue (a stand-in for a worker's heartbeat).",
    )
    for queue in queues:
        if moment := activity.last_started.get(queue):
            started.add(seconds(now, moment), queue=queue)
        if moment := activity.last_finished.get(queue):
            finished.add(seconds(now, moment), queue=queue)
    workers = Metric(
        "uadesk_workers_seen",
        "gauge",
        f"Different workers that started a task in the last {window} seconds (from the task table: "
        "django-tasks-db keeps no heartbeat; an idle worker is not counted).",
    )
    workers.add(activity.workers_seen)
    return [lag, tasks, started, finished, workers]


def cache_figures() -> list[Metric]:
    """Hits and misses where the cache counts them: Redis does, server-wide. The database cache counts
    nothing, and counts kept in each web process would differ from scrape to scrape (a scrape reaches
    one process of several), so with it there is no figure rather than a wrong one."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return []
    stats = backend._cache.get_client().info("stats")
    hits = Metric(
        "uadesk_cache_hits_total", "counter", "Reads the Redis cache answered (the Redis server's, all keys)."
    )
    misses = Metric(
        "uadesk_cache_misses_total",
        "counter",
        "Reads the Redis cache had no key for (the server's, all keys).",
    )
    hits.add(stats.get("keyspace_hits", 0))
    misses.add(stats.get("keyspace_misses", 0))
    return [hits, misses]


def federation_figures(now: datetime.datetime) -> list[Metric]:
    from uadesk.federation.models import SectionReport, Subscription

    failures = Metric("uadesk_federation_pull_failures", "gauge",
                      "Pulls of an office desk's feed that failed in a row, by subscription.")  # fmt: skip
    age = Metric("uadesk_federation_pull_age_seconds", "gauge",
                 "Seconds since an office desk's feed was last pulled whole, by subscription.")  # fmt: skip
    for name, failed, pulled_at in Subscription.objects.values_list("name", "failures", "pulled_at"):
        failures.add(failed, subscription=name)
        age.add(seconds(now, pulled_at), subscription=name)
    reports = Metric("uadesk_federation_section_reports", "gauge",
                     "Actions a section's desk has reported on to this desk, by section.")  # fmt: skip
    for row in (
        SectionReport.objects.values("section__code").annotate(n=Count("pk")).order_by("section__code")
    ):
        reports.add(row["n"], section=row["section__code"])
    return [failures, age, reports]


def figures_all(now: datetime.datetime | None = None) -> list[Metric]:
    now = now or timezone.now()
    return [
        *outbox_figures(now),
        *bounce_figures(),
        *mailing_figures(),
        *signature_figures(now),
        *task_figures(now),
        *cache_figures(),
        *federation_figures(now),
    ]


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def exposition(metrics: list[Metric]) -> str:
    """The Prometheus text format (version 0.0.4): HELP, TYPE, then one line a sample."""
    lines = []
    for metric in metrics:
        help_text = metric.help.replace("\\", "\\\\").replace("\n", "\\n")
        lines += [f"# HELP {metric.name} {help_text}", f"# TYPE {metric.name} {metric.kind}"]
        for labels, value in metric.samples:
            shown = ",".join(f'{k}="{escape(str(v))}"' for k, v in labels.items())
            lines.append(
                f"{metric.name}{{{shown}}} {number(value)}" if shown else f"{metric.name} {number(value)}"
            )
    return "\n".join(lines) + "\n"
