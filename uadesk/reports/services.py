"""Counts of appeals for one action or for all, over a date range, by aggregate queries only."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from uadesk.actions.models import Action
from uadesk.appeals.models import Appeal

PENDING = [Appeal.Status.HELD, Appeal.Status.QUEUED, Appeal.Status.AWAITING_SUPPORTER]


@dataclass
class Report:
    action: Action | None
    since: datetime.date | None
    until: datetime.date | None
    total: int = 0
    per_day: list[tuple[datetime.date, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_target: list[tuple[str, int]] = field(default_factory=list)
    by_language: list[tuple[str, int]] = field(default_factory=list)
    by_country: list[tuple[str, int]] = field(default_factory=list)
    by_action: list[tuple[str, int]] = field(default_factory=list)
    by_source: list[tuple[str, int]] = field(default_factory=list)
    # Network members who said, by a mailing's "I have acted" link, that they wrote off the desk: apart
    # from the appeals above, since nobody here saw those letters.
    off_desk: list[tuple[str, int]] = field(default_factory=list)
    # (petition, confirmed signatures, goal): progress toward each petition's goal
    petitions: list[tuple[str, int, int]] = field(default_factory=list)
    pending: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, int]] = field(default_factory=list)


def _in_range(queryset, since: datetime.date | None, until: datetime.date | None):
    # Days are the desk's own days (TIME_ZONE), both ends included.
    zone = timezone.get_current_timezone()
    if since:
        queryset = queryset.filter(
            created_at__gte=datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
        )
    if until:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        queryset = queryset.filter(created_at__lt=end)
    return queryset


def _grouped(queryset, field_name: str, label=lambda value: value or "") -> list[tuple[str, int]]:
    rows = queryset.values_list(field_name).annotate(n=Count("pk")).order_by("-n", field_name)
    return [(label(value), n) for value, n in rows]


def appeal_report(
    action: Action | None = None, *, since: datetime.date | None = None, until: datetime.date | None = None
) -> Report:
    """What went out (sent, sent by the supporter, posted), what waits, and what failed and why."""
    appeals = _in_range(Appeal.objects.all(), since, until)
    if action is not None:
        appeals = appeals.filter(action=action)
    counted = appeals.filter(status__in=Appeal.COUNTED)
    channels = dict(Appeal.Channel.choices)
    statuses = dict(Appeal.Status.choices)
    report = Report(action=action, since=since, until=until)
    report.total = counted.count()
    days = dict(
        counted.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    if days:
        first, last = since or min(days), until or max(days)
        if (last - first).days <= 731:  # a day each, empty days included, so the chart's gaps are real
            report.per_day = [
                (first + datetime.timedelta(days=i), days.get(first + datetime.timedelta(days=i), 0))
                for i in range((last - first).days + 1)
            ]
        else:
            report.per_day = sorted(days.items())
    report.by_channel = _grouped(counted, "channel", lambda c: str(channels.get(c, c)))
    report.by_target = _grouped(counted, "target__name")
    report.by_language = _grouped(counted, "language", lambda code: code or "own")
    report.by_country = _grouped(counted, "supporter_country", lambda code: code or "—")
    # Letters handwritten at letter-writing events, apart from those sent online.
    report.by_source = _grouped(counted, "event__name", lambda name: name or "online")
    if action is None:
        report.by_action = _grouped(counted, "action__title")
    from uadesk.network.models import ActedReport
    from uadesk.petitions.models import Petition

    acted = _in_range(ActedReport.objects.all(), since, until)
    if action is not None:
        acted = acted.filter(action=action)
    acted_channels = dict(ActedReport.Channel.choices)
    report.off_desk = _grouped(acted, "channel", lambda c: str(acted_channels.get(c, c)))

    petitions = Petition.objects.filter(action=action) if action is not None else Petition.objects.all()
    counts = dict(
        petitions.annotate(
            n=Count("signatures", filter=Q(signatures__confirmed_at__isnull=False))
        ).values_list("pk", "n")
    )
    report.petitions = [(p.title, counts.get(p.pk, 0), p.goal) for p in petitions.order_by("title")]
    report.pending = _grouped(appeals.filter(status__in=PENDING), "status", lambda s: str(statuses[s]))
    report.failed = _grouped(
        appeals.filter(Q(status=Appeal.Status.FAILED) | Q(status=Appeal.Status.BOUNCED)),
        "last_error",
        lambda error: error or "bounced",
    )
    return report


def export_rows(
    *, action: Action | None = None, since: datetime.date | None = None, until: datetime.date | None = None
):
    """Counted appeals per action, target, channel and day: the rows of the CSV and XLSX exports."""
    counted = _in_range(Appeal.objects.filter(status__in=Appeal.COUNTED), since, until)
    if action is not None:
        counted = counted.filter(action=action)
    return (
        counted.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day", "action__slug", "target__name", "channel", "event__name")
        .annotate(n=Count("pk"))
        .order_by("day", "action__slug", "target__name", "channel", "event__name")
    )
