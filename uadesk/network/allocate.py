"""The allocation's inputs read from the database, and the plan for a mailing of a new case: each network
(a section's, or the office's) shares out its own members among the cases it mails."""

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from uadesk.actions.models import Action

from . import allocation
from .models import Mailing, Member, Recipient, Suppression, codes


def plan_for(mailing: Mailing, *, today: datetime.date | None = None) -> allocation.Plan:
    """The plan as it stands today for every open case, so that a case due sooner is served first; the
    mailing's members are plan.for_case(mailing.action_id) (none if its action is no longer open), the
    other cases' are what a top-up mailing of theirs would send today. For a new case: updates and
    outcomes go to those who received it. Only the mailing's network counts: its members, and the cases
    its own mailings gave (each network wants its own writers for a case)."""
    today = today or timezone.localdate()
    section = mailing.section_id
    return allocation.allocate(
        members_today(today, section=section), open_cases(today, section=section), today
    )


def received_cases(*, section: int | None = None) -> QuerySet:
    """The rows that count as a case received in a network (a section's, None: the office's): a member
    in one of its mailings of a new case, not left out."""
    return Recipient.objects.filter(mailing__kind=Mailing.Kind.NEW, mailing__section=section).exclude(
        status=Recipient.Status.SKIPPED
    )


@functools.lru_cache(maxsize=4096)
def language_codes(text: str) -> tuple[str, ...]:
    # "zh-hans" reads as "zh": a member and an official who read Chinese match whatever the script.
    return tuple(dict.fromkeys(code.split("-")[0].lower() for code in codes(text)))


@functools.lru_cache(maxsize=4096)
def country_codes(text: str) -> frozenset[str]:
    return frozenset(code.upper() for code in codes(text))


def open_cases(today: datetime.date, *, section: int | None = None) -> list[allocation.Case]:
    actions = list(Action.objects.open_on(today).prefetch_related("targets", "themes"))
    ids = [action.pk for action in actions]
    default = settings.NETWORK_WRITERS_WANTED
    had_by = defaultdict(set)
    rows = received_cases(section=section).filter(mailing__action_id__in=ids, member__isnull=False)
    for action_id, member_id in rows.values_list("mailing__action_id", "member_id").iterator():
        had_by[action_id].add(member_id)
    # Counted with those who left since or were erased: they had the case all the same.
    received = dict(
        received_cases(section=section)
        .filter(mailing__action_id__in=ids)
        .values("mailing__action_id")
        .annotate(count=Count("pk"))
        .values_list("mailing__action_id", "count")
    )
    return [
        allocation.Case(
            id=action.pk,
            wanted=default if action.writers_wanted is None else action.writers_wanted,
            deadline=action.effective_deadline,
            languages=language_codes(action.preferred_languages),
            countries=frozenset(action.case_countries()),
            themes=frozenset(theme.slug for theme in action.themes.all()),
            received=received.get(action.pk, 0),
            had_by=frozenset(had_by[action.pk]),
            title=action.title,
        )
        for action in actions
    ]


def members_today(today: datetime.date, *, section: int | None = None) -> Iterator[allocation.Member]:
    """Every member of the network who may receive a case today (active, not paused, never an address
    not to mail), as rows read in chunks: the days of the cases they received in the last 30 days and of
    their last."""
    window_start = today - datetime.timedelta(days=allocation.WINDOW_DAYS - 1)
    since = timezone.make_aware(datetime.datetime.combine(window_start, datetime.time.min))
    received = defaultdict(list)
    recent = (
        received_cases(section=section)
        .filter(member__isnull=False, created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
    )
    for member_id, day in recent.values_list("member_id", "day").iterator(chunk_size=5000):
        received[member_id].append(day)
    themes = defaultdict(set)
    chosen = Member.themes.through.objects.filter(member__section=section)
    for member_id, slug in chosen.values_list("member_id", "theme__slug").iterator():
        themes[member_id].add(slug)
    last_case = (
        received_cases(section=section)
        .filter(member=OuterRef("pk"))
        .order_by("-created_at")
        .annotate(day=TruncDate("created_at"))
        .values("day")[:1]
    )
    rows = (
        Member.objects.filter(status=Member.Status.ACTIVE, section=section)
        .exclude(paused_until__gte=today)
        .exclude(supporter__email_hash__in=Suppression.against(section).values("email_hash"))
        .annotate(last_case=Subquery(last_case))
        .order_by("pk")
        .values_list("pk", "most_per_30_days", "languages", "countries", "last_case")
    )
    for member_id, limit, languages, countries, last in rows.iterator(chunk_size=5000):
        yield allocation.Member(
            id=member_id,
            limit=limit,
            received=received.get(member_id, ()),
            languages=language_codes(languages),
            countries=country_codes(countries),
            themes=frozenset(themes.get(member_id, ())),
            last=last,
        )
