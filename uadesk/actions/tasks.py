"""Background work on actions, run by the task worker: closing at deadlines, news of outcomes, reminders."""

import logging

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from uadesk.appeals.letters import letter_html
from uadesk.delivery.email import EmailTransport
from uadesk.delivery.transport import OutgoingLetter, TransportError

from .models import Outcome, OutcomeNotice, local_today
from .services import actions_close_expired, outcome_notices_create, reminders_due

log = logging.getLogger(__name__)


@task()
def close_expired_actions() -> int:
    return actions_close_expired(today=local_today())


def supporter_email(supporter, template: str, context: dict) -> OutgoingLetter:
    """An email to a supporter in their language, with the link to their own data in it."""
    from uadesk.supporters.links import data_url

    with translation.override(supporter.page_language):
        context = context | {"data_url": data_url(supporter), "site_url": settings.LINK_BASE_URL}
        text = render_to_string(f"actions/emails/{template}.txt", context)
        subject, _, body = text.partition("\n\n")
        return OutgoingLetter(
            subject=" ".join(subject.split()), text=body.strip() + "\n", html=letter_html(body)
        )


def send_once(transport, row, supporter, template: str, context: dict) -> bool:
    """Claims the row before the email goes, so a second run or a second worker never sends it twice;
    a refused send waits for a later run of the schedule, or fails for good with its reason."""
    if not row.claim():
        return False
    try:
        transport.send(supporter_email(supporter, template, context), to=supporter.email)
    except TransportError as error:
        if row.record_failure(str(error), permanent=error.permanent):
            log.warning("%s %s failed for good: %s", type(row).__name__, row.pk, row.last_error)
        return False
    return True


@task()
def send_outcome_news(outcome_id: int | None = None) -> int:
    """Tells each supporter who asked for news of a case, once each. Given an outcome just recorded, it
    first makes a notice for each of its followers; every run (the schedule's, without an outcome) then
    sends the notices that are due, those a refused send left for later among them."""
    if outcome_id is not None and (
        outcome := Outcome.objects.select_related("action").filter(pk=outcome_id).first()
    ):
        outcome_notices_create(outcome)
    due = OutcomeNotice.objects.due(timezone.now()).select_related(
        "outcome__action", "outcome__individual", "supporter"
    )
    sent = 0
    with EmailTransport() as transport:
        for notice in due.order_by("pk"):
            context = {"outcome": notice.outcome, "action": notice.outcome.action}
            sent += send_once(transport, notice, notice.supporter, "outcome", context)
    return sent


@task()
def send_reminders() -> int:
    """One email to each supporter who asked, a few days before the deadline, if they have not acted."""
    sent = 0
    due = reminders_due(now=timezone.now(), today=local_today(), days_before=settings.REMINDER_DAYS_BEFORE)
    with EmailTransport() as transport:
        for reminder in due:
            action = reminder.action
            context = {"action": action, "deadline": action.effective_deadline}
            sent += send_once(transport, reminder, reminder.supporter, "reminder", context)
    return sent
