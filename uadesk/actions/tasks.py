"""Background work on actions, run by the task worker: closing at deadlines, news of outcomes, reminders."""

from django.conf import settings
from django.db import IntegrityError
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from uadesk.appeals.letters import letter_html
from uadesk.delivery.email import EmailTransport
from uadesk.delivery.transport import OutgoingLetter, TransportError

from .models import Outcome, OutcomeNotice, local_today
from .services import actions_close_expired, case_followers, reminders_due


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
    """Claims the row (sets its sent_at where it is empty) before the email goes, so a second run or
    a second worker never sends it twice; a failed send releases it for a later run."""
    rows = type(row).objects.filter(pk=row.pk)
    if not rows.filter(sent_at__isnull=True).update(sent_at=timezone.now()):
        return False
    try:
        transport.send(supporter_email(supporter, template, context), to=supporter.email)
    except TransportError:
        rows.update(sent_at=None)
        return False
    return True


@task()
def send_outcome_news(outcome_id: int) -> int:
    """Tells each supporter who asked for news of the case, once each."""
    outcome = Outcome.objects.select_related("action", "individual").filter(pk=outcome_id).first()
    if outcome is None:
        return 0
    sent = 0
    context = {"outcome": outcome, "action": outcome.action}
    with EmailTransport() as transport:
        for supporter in case_followers(outcome.action):
            try:
                notice, _ = OutcomeNotice.objects.get_or_create(outcome=outcome, supporter=supporter)
            except IntegrityError:
                continue  # another worker holds it
            sent += send_once(transport, notice, supporter, "outcome", context)
    return sent


@task()
def send_reminders() -> int:
    """One email to each supporter who asked, a few days before the deadline, if they have not acted."""
    sent = 0
    with EmailTransport() as transport:
        for reminder in reminders_due(today=local_today(), days_before=settings.REMINDER_DAYS_BEFORE):
            action = reminder.action
            context = {"action": action, "deadline": action.effective_deadline}
            sent += send_once(transport, reminder, reminder.supporter, "reminder", context)
    return sent
