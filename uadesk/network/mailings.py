"""Mailings: each new case, update and outcome sent to the members who want it, through the outbox.

A mailing is drafted when its action is published (or an outcome recorded); staff choose its audience
and send it, now or at a set time. Sending plans its recipients (every member whose choices it matches;
for members who chose "at most N a month", the allocation decides) and writes, chunk by chunk, a
Recipient and an outbox message for each, in one transaction per chunk: a run cut short is run again
and goes on where the last committed chunk ended, so nobody is mailed twice and nobody is skipped."""

import datetime
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from uadesk.actions.models import Action, Outcome, Section
from uadesk.delivery.models import Message
from uadesk.delivery.services import messages_cancel, messages_hold, messages_release
from uadesk.delivery.tasks import runs_kick
from uadesk.staff import audit

from .models import Mailing, Member, Recipient, Suppression, codes

# Recipients and their messages are written this many at a time, each chunk in one transaction.
CHUNK = 1000


def desk_language(code: str) -> str | None:
    """The desk's interface language for a language code ("zh" → "zh-hans"), or None if it has none."""
    spoken = [c for c, _ in settings.LANGUAGES]
    code = code.lower()
    if code in spoken:
        return code
    return next((c for c in spoken if c.split("-")[0] == code.split("-")[0]), None)


def action_languages(action: Action) -> list[str]:
    """The languages the case can be read in: the one it is told in, its translations', then its model
    letters'."""
    translated = [t.language for t in action.translations.all() if t.localisation_id is None]
    return list(
        dict.fromkeys(
            [action.case_language, *translated, *(letter.language for letter in action.letters_for())]
        )
    )


def reader_language(member_languages: list[str], action_languages: list[str]) -> str:
    """The language of a member's email: the first they read that the action has and the desk speaks,
    else the first they read that the desk speaks (the case then shows in its own language), else the
    desk's own."""
    has = {code.split("-")[0] for code in action_languages}
    for code in member_languages:
        if code.split("-")[0] in has and (spoken := desk_language(code)):
            return spoken
    for code in member_languages:
        if spoken := desk_language(code):
            return spoken
    return settings.LANGUAGE_CODE


def preview_languages(mailing: Mailing) -> list[str]:
    """The languages the mailing's emails will be in: those of its audience's members (as the desk
    speaks them), the desk's own first; staff preview and test each."""
    seen = {settings.LANGUAGE_CODE}
    for languages in audience(mailing).values_list("languages", flat=True).distinct()[:1000]:
        seen.add(reader_language(codes(languages), action_languages(mailing.action)))
    return sorted(seen, key=lambda code: (code != settings.LANGUAGE_CODE, code))


# Drafting ---------------------------------------------------------------------------------------------


def networks() -> list[Section | None]:
    """The networks of this desk: the office's (None), and each section's with members or staff here."""
    from uadesk.staff.models import StaffSection

    hosted = Section.objects.filter(
        Exists(Member.objects.filter(section=OuterRef("pk")))
        | Exists(StaffSection.objects.filter(section=OuterRef("pk")))
    )
    return [None, *hosted.order_by("pk")]


def mailing_draft(action: Action, *, kind: str, outcome: Outcome | None = None) -> Mailing:
    """The draft mailings of a publication, one per action (or per outcome) and network, however often it
    is saved; a section that came to the desk since gets its own at the next save. Returns the office's."""
    drafts = [
        Mailing.objects.get_or_create(action=action, kind=kind, outcome=outcome, section=section)[0]
        for section in networks()
    ]
    return drafts[0]


def kind_of(action: Action) -> str:
    return Mailing.Kind.NEW if action.kind == Action.Kind.URGENT_ACTION else Mailing.Kind.UPDATE


# The audience -----------------------------------------------------------------------------------------


def _listed(field: str, wanted: Iterable[str]) -> Q:
    """Rows whose comma-separated `field` names one of `wanted` (matched whole, in any case)."""
    q = Q(pk__in=[])
    for code in wanted:
        q |= Q(**{f"{field}__iregex": rf"(^|,)\s*{code}\s*(,|$)"})
    return q


def members_reachable(
    today: datetime.date | None = None, *, section: Section | int | None = None
) -> QuerySet[Member]:
    """The members of one network (a section's, or the office's with None) who may be mailed today:
    confirmed, not paused, and neither their address (a bounce, a complaint) nor their leaving of that
    network stops its mail."""
    today = today or timezone.localdate()
    suppressed = Suppression.against(section).filter(email_hash=OuterRef("supporter__email_hash"))
    return (
        Member.objects.filter(status=Member.Status.ACTIVE, section=section)
        .exclude(paused_until__gte=today)
        .exclude(Exists(suppressed))
    )


def audience(mailing: Mailing, today: datetime.date | None = None) -> QuerySet[Member]:
    """Everyone this mailing may reach, before the allocation: the members of its network whose own
    choices its case matches, narrowed by the filters staff chose.

    A new UA goes to members who chose none of the countries and themes, or one of its own; an update
    or an outcome goes to the members who received the case before."""
    action = mailing.action
    members = members_reachable(today, section=mailing.section_id)
    if mailing.kind == Mailing.Kind.NEW:
        themes = list(action.themes.values_list("pk", flat=True))
        no_interests = Q(countries="") & ~Exists(Member.themes.through.objects.filter(member=OuterRef("pk")))
        interested = _listed("countries", action.case_countries()) | Exists(
            Member.themes.through.objects.filter(member=OuterRef("pk"), theme__in=themes)
        )
        members = members.filter(no_interests | interested)
    else:
        case = [a.pk for a in action.chain()]
        earlier = Recipient.objects.filter(member=OuterRef("pk"), mailing__action__in=case).exclude(
            mailing=mailing
        )
        members = members.filter(
            Exists(earlier.filter(status__in=[Recipient.Status.SENT, Recipient.Status.QUEUED]))
        )
    if mailing.languages:
        members = members.filter(_listed("languages", codes(mailing.languages)))
    if mailing.countries:
        members = members.filter(_listed("countries", [c.upper() for c in codes(mailing.countries)]))
    if mailing.pk and (themes := list(mailing.themes.values_list("pk", flat=True))):
        members = members.filter(
            Exists(Member.themes.through.objects.filter(member=OuterRef("pk"), theme__in=themes))
        )
    if mailing.channel:
        members = members.filter(channel=mailing.channel)
    return members


# Sending ----------------------------------------------------------------------------------------------


class NotSendable(Exception):
    """The mailing cannot start (already sent or cancelled, its action not published)."""


def mailing_send(mailing: Mailing, *, when: datetime.datetime | None = None, user=None) -> Mailing:
    """Sends the mailing now, or schedules it for `when`. The recipients are written by a task."""
    from .tasks import mailing_queue  # which imports this module

    now = timezone.now()
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if mailing.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
            raise NotSendable(f"this mailing is {mailing.get_status_display().lower()}")
        if mailing.action.status != Action.Status.PUBLISHED:
            raise NotSendable("its action is not published")
        if when is not None and when > now:
            mailing.status, mailing.send_at = Mailing.Status.SCHEDULED, when
        else:
            mailing.status, mailing.started_at = Mailing.Status.SENDING, now
            transaction.on_commit(lambda: mailing_queue.enqueue(mailing.pk))
        mailing.save(update_fields=["status", "send_at", "started_at"])
        scheduled = mailing.status == Mailing.Status.SCHEDULED
        code = "uadesk.mailing.scheduled" if scheduled else "uadesk.mailing.started"
        if user is not None:
            audit.log(code, user=user, obj=mailing)
        else:
            audit.log(code, via=audit.Via.SYSTEM, obj=mailing)
    return mailing


def mailings_due(now: datetime.datetime | None = None) -> int:
    """Scheduled mailings whose time has come start."""
    from .tasks import mailing_queue

    now = now or timezone.now()
    started = 0
    for pk in Mailing.objects.filter(status=Mailing.Status.SCHEDULED, send_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            if Mailing.objects.filter(pk=pk, status=Mailing.Status.SCHEDULED).update(
                status=Mailing.Status.SENDING, started_at=now
            ):
                transaction.on_commit(lambda pk=pk: mailing_queue.enqueue(pk))
                started += 1
    return started


def planned(mailing: Mailing) -> Iterator[tuple[int, list[str], str, str]]:
    """(member id, their languages, channel, why) for every member the mailing goes to, streamed.

    Members who chose every case get it; those who chose at most N in 30 days get it where the
    allocation gives it to them. Updates and outcomes go to all who had the case."""
    members = audience(mailing).values_list("pk", "languages", "channel", "most_per_30_days").order_by("pk")
    if mailing.kind != Mailing.Kind.NEW:
        for pk, languages, channel, _most in members.iterator(chunk_size=CHUNK):
            yield pk, codes(languages), channel, "had the case"
        return
    limited: dict[int, str] = {}  # member id: why the allocation chose them
    if members.filter(most_per_30_days__isnull=False).exists():
        from .allocate import plan_for

        limited = dict(plan_for(mailing).for_case(mailing.action_id))
    for pk, languages, channel, most in members.iterator(chunk_size=CHUNK):
        if most is None:
            yield pk, codes(languages), channel, "every case"
        elif pk in limited:
            yield pk, codes(languages), channel, limited[pk]


def mailing_queue_recipients(mailing: Mailing) -> int:
    """Writes the recipients and their messages, a chunk per transaction; safe to run again after a
    crash (members already written are skipped). Returns how many it wrote."""
    languages = action_languages(mailing.action)
    written = 0
    batch: list[tuple[int, list[str], str, str]] = []
    for row in planned(mailing):
        batch.append(row)
        if len(batch) == CHUNK:
            written += _queue_chunk(mailing, batch, languages)
            batch = []
    if batch:
        written += _queue_chunk(mailing, batch, languages)
    return written


def _queue_chunk(mailing: Mailing, rows: list, action_langs: list[str]) -> int:
    with transaction.atomic():
        status = Mailing.objects.select_for_update().values_list("status", flat=True).get(pk=mailing.pk)
        if status not in (Mailing.Status.SENDING, Mailing.Status.PAUSED):
            return 0  # cancelled meanwhile
        done = set(
            Recipient.objects.filter(mailing=mailing, member_id__in=[r[0] for r in rows]).values_list(
                "member_id", flat=True
            )
        )
        # Members by post wait for the print run (printrun.py); the others are queued as messages.
        queued = {
            Member.Channel.EMAIL: Recipient.Status.QUEUED,
            Member.Channel.POST: Recipient.Status.PLANNED,
        }
        recipients = Recipient.objects.bulk_create(
            Recipient(
                mailing=mailing, member_id=pk, language=reader_language(langs, action_langs), channel=channel,
                why=why[:100], status=queued[channel],
            )
            for pk, langs, channel, why in rows
            if pk not in done
        )  # fmt: skip
        held = status == Mailing.Status.PAUSED
        Message.objects.bulk_create(
            Message(
                kind=Message.Kind.MAILING, ref=r.pk, bulk=True,
                status=Message.Status.HELD if held else Message.Status.WAITING,
            )
            for r in recipients
            if r.channel == Member.Channel.EMAIL
        )  # fmt: skip
        if not held:
            transaction.on_commit(runs_kick)
    return len(recipients)


def _messages_of(mailing: Mailing) -> QuerySet[Message]:
    refs = Recipient.objects.filter(mailing=mailing).values("pk")
    return Message.objects.filter(kind=Message.Kind.MAILING, ref__in=refs)


def mailing_pause(mailing: Mailing, *, user) -> int:
    """Messages not yet sent wait; those a worker is sending right now still go."""
    return _mailing_change(
        mailing, user=user, before=[Mailing.Status.SENDING], after=Mailing.Status.PAUSED,
        messages_change=messages_hold, code="uadesk.mailing.paused",
    )  # fmt: skip


def mailing_resume(mailing: Mailing, *, user) -> int:
    return _mailing_change(
        mailing, user=user, before=[Mailing.Status.PAUSED], after=Mailing.Status.SENDING,
        messages_change=messages_release, code="uadesk.mailing.resumed",
    )  # fmt: skip


def mailing_cancel(mailing: Mailing, *, user) -> int:
    """Nothing more goes; what went stays counted."""
    under_way = [
        Mailing.Status.DRAFT,
        Mailing.Status.SCHEDULED,
        Mailing.Status.SENDING,
        Mailing.Status.PAUSED,
    ]
    return _mailing_change(
        mailing, user=user, before=under_way, after=Mailing.Status.CANCELLED, messages_change=messages_cancel,
        code="uadesk.mailing.cancelled", finished_at=timezone.now(),
    )  # fmt: skip


def _mailing_change(mailing: Mailing, *, user, before, after, messages_change, code: str, **fields) -> int:
    """One of staff's buttons: the mailing's status, then its messages', in one transaction, logged.
    Returns how many messages changed; 0 and nothing done if the mailing was not in a state it applies to."""
    with transaction.atomic():
        if not Mailing.objects.filter(pk=mailing.pk, status__in=before).update(status=after, **fields):
            return 0
        changed = messages_change(messages=_messages_of(mailing))
        if after == Mailing.Status.CANCELLED:  # members by post not printed yet get nothing either
            Recipient.objects.filter(mailing=mailing, status=Recipient.Status.PLANNED).update(
                status=Recipient.Status.SKIPPED
            )
        audit.log(code, user=user, obj=mailing, messages=changed)
    return changed


def mailings_finish() -> int:
    """Mailings whose every email has gone (sent, bounced or not sent) are done."""
    finished = 0
    for mailing in Mailing.objects.filter(status=Mailing.Status.SENDING, started_at__isnull=False):
        # A worker that died between an email and the end of its batch left its recipient "queued".
        sent = _messages_of(mailing).filter(status=Message.Status.SENT).values("ref")
        Recipient.objects.filter(mailing=mailing, status=Recipient.Status.QUEUED, pk__in=sent).update(
            status=Recipient.Status.SENT
        )
        waiting = _messages_of(mailing).filter(
            status__in=[Message.Status.WAITING, Message.Status.SENDING, Message.Status.HELD]
        )
        if mailing.queued_all_at and not waiting.exists():
            finished += Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
                status=Mailing.Status.SENT, finished_at=timezone.now()
            )
    return finished


def plan_explained(mailing: Mailing) -> list[str]:
    """The allocation's plan today, a line an open case, in the staff member's language: who gets it,
    why, and which case will fall short and by how many. Empty when no member chose a limit."""
    from django.utils.translation import gettext

    from .allocate import plan_for

    if not members_reachable(section=mailing.section_id).filter(most_per_30_days__isnull=False).exists():
        return []
    return plan_for(mailing).explain(gettext)


def recipient_reasons(mailing: Mailing) -> list[tuple[str, int]]:
    """Why its recipients got it ("every case", "reads zh", "chose CN", "fills"), with how many each."""
    rows = Recipient.objects.filter(mailing=mailing).values_list("why").annotate(n=models.Count("pk"))
    return sorted(rows, key=lambda row: -row[1])


# The report --------------------------------------------------------------------------------------------


def mailing_report(mailing: Mailing) -> dict:
    """What a mailing did, with no tracking pixel: recipients, sent, bounced, left the network from it,
    and who acted, on the desk (letters their supporter wrote on the case after it went) and off it
    (the "I have acted" links), by channel."""
    from uadesk.appeals.models import Appeal

    from .models import ActedReport

    recipients = Recipient.objects.filter(mailing=mailing)
    by_status = dict(
        recipients.values_list("status").annotate(n=models.Count("pk")).values_list("status", "n")
    )
    on_desk = Appeal.objects.counted().filter(
        action=mailing.action,
        supporter__members__mailed__mailing=mailing,
        created_at__gte=mailing.started_at or mailing.created_at,
    )
    on_desk_by_channel = dict(
        on_desk.values_list("channel")
        .annotate(n=models.Count("supporter", distinct=True))
        .values_list("channel", "n")
    )
    off_desk = dict(
        ActedReport.objects.filter(mailing=mailing)
        .values_list("channel")
        .annotate(n=models.Count("pk"))
        .values_list("channel", "n")
    )
    return {
        "recipients": sum(by_status.values()),
        "by_email": recipients.filter(channel=Member.Channel.EMAIL).count(),
        "by_post": recipients.filter(channel=Member.Channel.POST).count(),
        "sent": by_status.get(Recipient.Status.SENT, 0),
        "waiting": by_status.get(Recipient.Status.QUEUED, 0) + by_status.get(Recipient.Status.PLANNED, 0),
        "bounced": by_status.get(Recipient.Status.BOUNCED, 0),
        "not_sent": by_status.get(Recipient.Status.SKIPPED, 0),
        "unsubscribed": recipients.filter(unsubscribed_at__isnull=False).count(),
        "acted_on_desk": on_desk_by_channel,
        "acted_off_desk": off_desk,
    }
