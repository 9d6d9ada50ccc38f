"""News of a case and reminders before a deadline, as messages in the outbox: built from their row
when they go, in the supporter's language, with the link to their data."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from uadesk.delivery.email import templated
from uadesk.delivery.models import Message
from uadesk.delivery.outbox import Envelope, Sender, sender_register
from uadesk.delivery.tasks import runs_kick

from .models import OutcomeNotice, Reminder


def supporter_envelope(supporter, name: str, context: dict) -> Envelope:
    """An email to a supporter in their language, with the link to their own data in it."""
    from uadesk.supporters.links import data_url

    with translation.override(supporter.page_language):
        context = context | {"data_url": data_url(supporter), "site_url": settings.LINK_BASE_URL}
        return Envelope("email", templated(name, context), supporter.email)


class OutcomeNewsSender(Sender):
    kind = Message.Kind.OUTCOME_NEWS

    def envelopes(self, messages):
        notices = OutcomeNotice.objects.select_related(
            "outcome__action", "outcome__individual", "supporter"
        ).in_bulk(m.ref for m in messages)
        found = {}
        for m in messages:
            notice = notices.get(m.ref)
            if notice is not None:
                context = {"outcome": notice.outcome, "action": notice.outcome.action}
                found[m.pk] = supporter_envelope(notice.supporter, "actions/emails/outcome", context)
        return found


class ReminderSender(Sender):
    kind = Message.Kind.REMINDER

    def envelopes(self, messages):
        reminders = Reminder.objects.select_related("action", "supporter").in_bulk(m.ref for m in messages)
        found = {}
        for m in messages:
            reminder = reminders.get(m.ref)
            if reminder is None:
                continue
            if reminder.supporter.appeals.filter(action=reminder.action).exists():
                found[m.pk] = "they wrote since it was queued"
                continue
            context = {"action": reminder.action, "deadline": reminder.action.effective_deadline}
            found[m.pk] = supporter_envelope(reminder.supporter, "actions/emails/reminder", context)
        return found


def outcome_news_queue(notices: list[OutcomeNotice]) -> None:
    """A message for each new notice, in the transaction that made them."""
    Message.objects.bulk_create(Message(kind=Message.Kind.OUTCOME_NEWS, ref=n.pk) for n in notices)
    transaction.on_commit(runs_kick)


def reminders_queue(reminders) -> int:
    """A message for each due reminder not yet queued; each reminder is taken once, by a conditional
    UPDATE, so two runs at once queue it once."""
    queued = 0
    for reminder in reminders:
        with transaction.atomic():
            if Reminder.objects.filter(pk=reminder.pk, queued_at__isnull=True).update(
                queued_at=timezone.now()
            ):
                Message.objects.create(kind=Message.Kind.REMINDER, ref=reminder.pk)
                queued += 1
    if queued:
        runs_kick()
    return queued


def register() -> None:
    sender_register(OutcomeNewsSender())
    sender_register(ReminderSender())
