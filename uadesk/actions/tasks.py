"""Background work on actions, run by the task worker: closing at deadlines, news of outcomes, reminders."""

from django.conf import settings
from django.db import IntegrityError
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from uadesk.appeals.letters import letter_html
from uadesk.delivery.email import EmailTransport
from uadesk.delivery.transport import OutgoingLetter, TransportError

from .models import Outcome, OutcomeNotice, Reminder, local_today
from .services import actions_close_expired, case_followers, reminders_due


@task()
def close_expired_actions() -> int:
    return actions_close_expired(today=local_today())


def supporter_email(supporter, template: str, context: dict) -> OutgoingLetter:
    """An email to a supporter in their language, with the link to their own data in it."""
    from uadesk.supporters.links import data_url

    with translation.override(supporter.page_language):
        context = context | {"data_url": data_url(supporter), "site_url": settings.SITE_URL}
        text = render_to_string(f"actions/emails/{template}.txt", context)
        subject, _, body = text.partition("\n\n")
        return OutgoingLetter(
            subject=" ".join(subject.split()), text=body.strip() + "\n", html=letter_html(body)
        )


@task()
def send_outcome_news(outcome_id: int) -> int:
    """Tells each supporter who asked for news of the case, once: a notice row is claimed before
    its email goes, so a second run, or a second worker, sends nobody the news twice."""
    outcome = Outcome.objects.select_related("action", "individual").filter(pk=outcome_id).first()
    if outcome is None:
        return 0
    sent = 0
    with EmailTransport() as transport:
        for supporter in case_followers(outcome.action):
            try:
                notice, created = OutcomeNotice.objects.get_or_create(outcome=outcome, supporter=supporter)
            except IntegrityError:
                continue  # another worker holds it
            if not OutcomeNotice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(
                sent_at=timezone.now()
            ):
                continue
            letter = supporter_email(supporter, "outcome", {"outcome": outcome, "action": outcome.action})
            try:
                transport.send(letter, to=supporter.email)
            except TransportError:
                # Released for a later run rather than lost; news is worth a retry.
                OutcomeNotice.objects.filter(pk=notice.pk).update(sent_at=None)
                continue
            sent += 1
    return sent


@task()
def send_reminders() -> int:
    """One email to each supporter who asked, a few days before the deadline, if they have not acted."""
    sent = 0
    with EmailTransport() as transport:
        for reminder in reminders_due(today=local_today(), days_before=settings.REMINDER_DAYS_BEFORE):
            if not Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(
                sent_at=timezone.now()
            ):
                continue
            action = reminder.action
            letter = supporter_email(
                reminder.supporter, "reminder", {"action": action, "deadline": action.effective_deadline}
            )
            try:
                transport.send(letter, to=reminder.supporter.email)
            except TransportError:
                Reminder.objects.filter(pk=reminder.pk).update(sent_at=None)
                continue
            sent += 1
    return sent
