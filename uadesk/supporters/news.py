"""What supporters asked to hear: news of a case they acted on, and one reminder before a deadline.
Each is a message in the outbox, built from its row when it goes, in the supporter's language, with
the link to their data."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare

from uadesk.actions.models import Action, CaseNewsStop, OutcomeNotice, Reminder
from uadesk.delivery.email import templated
from uadesk.delivery.models import Message
from uadesk.delivery.outbox import Envelope, Sender, sender_register
from uadesk.delivery.tasks import runs_kick

from .links import data_url
from .models import Supporter

STOP_SALT = "uadesk.supporters.stop"


class StopInvalid(Exception):
    """A stop link forged, mangled, or for a supporter erased since."""


def stop_url(supporter: Supporter, what: str, action: Action) -> str:
    """The link that stops one kind of email about one action ("news" or "reminder"): in the email and
    in its List-Unsubscribe header. It names the supporter by number and their row's key, signed."""
    token = signing.dumps([supporter.pk, supporter.link_key, what, action.pk], salt=STOP_SALT, compress=False)
    with translation.override(supporter.page_language):
        return f"{settings.LINK_BASE_URL}{reverse('supporters:stop', kwargs={'token': token})}"


def stop_read(token: str) -> tuple[Supporter, str, Action]:
    try:
        pk, key, what, action_pk = signing.loads(token, salt=STOP_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        raise StopInvalid from None
    supporter = Supporter.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    action = Action.objects.filter(pk=action_pk).first() if isinstance(action_pk, int) else None
    if supporter is None or action is None or what not in ("news", "reminder"):
        raise StopInvalid
    if not constant_time_compare(supporter.link_key, str(key)):
        raise StopInvalid
    return supporter, what, action


def emails_stop(*, supporter: Supporter, what: str, action: Action) -> None:
    """No more news of this case, or not the reminder: what is waiting in the outbox is cancelled too.
    Safe to do twice (a mail app's one-click POST, then the person's own click)."""
    with transaction.atomic():
        if what == "news":
            CaseNewsStop.objects.get_or_create(action=action, supporter=supporter)
            waiting = OutcomeNotice.objects.filter(supporter=supporter, outcome__action=action)
            Message.objects.of(Message.Kind.OUTCOME_NEWS, waiting.values_list("pk", flat=True)).cancel()
        else:
            reminders = Reminder.objects.filter(supporter=supporter, action=action)
            Message.objects.of(Message.Kind.REMINDER, reminders.values_list("pk", flat=True)).cancel()
            reminders.delete()


def news_resume(*, supporter: Supporter, action: Action) -> None:
    """They want news of this case again, from their own data page: the stop goes, and the next news
    reaches them as their letters or signatures asked. News sent while it was stopped is not sent now."""
    CaseNewsStop.objects.filter(action=action, supporter=supporter).delete()


@dataclass(frozen=True)
class Agreement:
    """One kind of email a supporter agreed to, about one action, the link that stops it, and whether
    they stopped it (news only: a reminder cancelled is gone)."""

    what: str  # "news" or "reminder"
    action: Action
    stop_url: str
    stopped: bool = False

    @property
    def stop_path(self) -> str:
        """The stop link on this site, for a form of its own pages."""
        return urlsplit(self.stop_url).path


def agreements(supporter: Supporter) -> list[Agreement]:
    """What the supporter agreed to hear: news of each case they follow (by a confirmed letter or
    signature that asked for it), stopped or not, and each reminder not yet sent."""
    followed = (
        Action.objects.filter(
            Q(appeals__supporter=supporter, appeals__wants_updates=True)
            | Q(
                petitions__signatures__supporter=supporter,
                petitions__signatures__consent_case_updates=True,
                petitions__signatures__confirmed_at__isnull=False,
            )
        )
        .distinct()
        .order_by("title")
    )
    stopped = set(CaseNewsStop.objects.filter(supporter=supporter).values_list("action", flat=True))
    reminders = Reminder.objects.filter(supporter=supporter, queued_at__isnull=True).select_related("action")
    return [Agreement("news", a, stop_url(supporter, "news", a), a.pk in stopped) for a in followed] + [
        Agreement("reminder", r.action, stop_url(supporter, "reminder", r.action)) for r in reminders
    ]


def supporter_envelope(supporter: Supporter, name: str, context: dict, *, stop: str) -> Envelope:
    """An email to a supporter in their language, with the link to their own data in it, and the one
    that stops this kind of email (in the text and the List-Unsubscribe header)."""
    with translation.override(supporter.page_language):
        unsubscribe = stop_url(supporter, stop, context["action"])
        context = context | {"data_url": data_url(supporter), "site_url": settings.LINK_BASE_URL}
        letter = templated(f"supporters/emails/{name}", context, unsubscribe_url=unsubscribe)
        return Envelope("email", letter, supporter.email)


class OutcomeNewsSender(Sender):
    kind = Message.Kind.OUTCOME_NEWS
    about = "actions.outcomenotice"

    def envelopes(self, messages):
        notices = OutcomeNotice.objects.select_related(
            "outcome__action", "outcome__individual", "supporter"
        ).in_bulk(m.ref for m in messages)
        found = {}
        for m in messages:
            if notice := notices.get(m.ref):
                context = {"outcome": notice.outcome, "action": notice.outcome.action}
                found[m.pk] = supporter_envelope(notice.supporter, "outcome", context, stop="news")
        return found


class ReminderSender(Sender):
    kind = Message.Kind.REMINDER
    about = "actions.reminder"

    def envelopes(self, messages):
        reminders = Reminder.objects.select_related("action", "supporter").in_bulk(m.ref for m in messages)
        # Who wrote since the reminder was queued, for the whole batch at once.
        acted = set(
            Reminder.objects.filter(
                pk__in=list(reminders), supporter__appeals__action=F("action")
            ).values_list("pk", flat=True)
        )
        found = {}
        for m in messages:
            if (reminder := reminders.get(m.ref)) is None:
                continue
            if reminder.pk in acted:
                found[m.pk] = "they wrote since it was queued"
                continue
            context = {"action": reminder.action, "deadline": reminder.action.effective_deadline}
            found[m.pk] = supporter_envelope(reminder.supporter, "reminder", context, stop="reminder")
        return found


def reminder_ask(*, action: Action, email: str) -> Reminder:
    """One reminder per supporter and action, however often they ask."""
    supporter = Supporter.for_email(email)
    supporter.touch()
    reminder, _ = Reminder.objects.get_or_create(action=action, supporter=supporter)
    return reminder


def reminders_due(*, today: datetime.date, days_before: int):
    """Reminders to queue now: the action is open and due within `days_before` days, the supporter has
    not written to any of its targets, and the reminder is not queued yet."""
    actions = Action.objects.open_on(today).filter(
        effective_deadline_db__lte=today + datetime.timedelta(days=days_before)
    )
    return (
        Reminder.objects.filter(queued_at__isnull=True, action__in=actions)
        .exclude(supporter__appeals__action=F("action"))
        .select_related("action", "supporter")
    )


def reminders_queue(reminders) -> int:
    """A message for each due reminder not yet queued; each reminder is taken once, by a conditional
    UPDATE, so two runs at once queue it once."""
    queued = 0
    for reminder in reminders:
        with transaction.atomic():
            taken = Reminder.objects.filter(pk=reminder.pk, queued_at__isnull=True)
            if taken.update(queued_at=timezone.now()):
                Message.objects.create(kind=Message.Kind.REMINDER, ref=reminder.pk)
                queued += 1
    if queued:
        runs_kick()
    return queued


def register() -> None:
    sender_register(OutcomeNewsSender())
    sender_register(ReminderSender())
