"""Letters to officials in the outbox: a message per appeal the desk sends, built from the appeal when
it goes, and the appeal's status kept in step with its message."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from uadesk.delivery.email import templated
from uadesk.delivery.models import Message
from uadesk.delivery.outbox import Envelope, Sender, sender_register
from uadesk.delivery.tasks import runs_kick
from uadesk.ratelimit import allow
from uadesk.supporters.links import data_url

from .models import Appeal, EmailConfirmation, appeals_counted
from .printing import appeal_pdf

KIND = Message.Kind.APPEAL


class LetterSender(Sender):
    kind = KIND
    about = "appeals.appeal"

    def envelopes(self, messages: list[Message]) -> dict[int, Envelope | str | None]:
        appeals = Appeal.objects.select_related("target", "action", "supporter").in_bulk(
            m.ref for m in messages
        )
        return {m.pk: self.envelope(appeals.get(m.ref)) for m in messages}

    def envelope(self, appeal: Appeal | None) -> Envelope | None:
        if appeal is None or appeal.status == Appeal.Status.WITHDRAWN:
            return None
        if appeal.channel == Appeal.Channel.FAX:
            numbers = appeal.target.fax_list
            pdf = appeal_pdf(appeal, envelope=None) if numbers else b""
            letter = appeal.outgoing_letter(pdf=pdf)
            return Envelope("fax", letter, numbers[0] if numbers else "")
        emails = appeal.target.email_list
        return Envelope("email", appeal.outgoing_letter(), emails[0] if emails else "")

    def max_attempts(self) -> int:
        return settings.APPEAL_MAX_ATTEMPTS

    def retry_base_seconds(self) -> int:
        return settings.APPEAL_RETRY_BASE_SECONDS

    def became(self, status: str, refs: list[int]) -> None:
        appeals = Appeal.objects.filter(pk__in=refs)
        if status == Message.Status.SENT:
            # In the transaction that records the send (outbox.record_sent).
            appeals.update(status=Appeal.Status.SENT, sent_at=timezone.now())
            appeals_counted.send(sender=Appeal, appeal_ids=list(refs))
        elif status == Message.Status.FAILED:
            # The reason, for staff reading the appeal (its message keeps every attempt's).
            for ref, error in Message.objects.of(KIND, refs).values_list("ref", "last_error"):
                Appeal.objects.filter(pk=ref).update(status=Appeal.Status.FAILED, last_error=error)
        elif status == Message.Status.HELD:
            appeals.filter(status=Appeal.Status.QUEUED).update(status=Appeal.Status.HELD)
        elif status == Message.Status.WAITING:
            appeals.filter(status__in=[Appeal.Status.HELD, Appeal.Status.FAILED]).update(
                status=Appeal.Status.QUEUED, last_error=""
            )
        elif status == Message.Status.CANCELLED:
            appeals.exclude(status__in=Appeal.COUNTED).update(
                status=Appeal.Status.WITHDRAWN, last_error="withdrawn by staff before it went"
            )


def letters_queue(appeals) -> int:
    """These queued appeals' letters go: each gets its message (again waiting, if it had one held
    or failed), paced per official. In the caller's transaction; the delivery run follows the commit."""
    appeals = list(appeals.select_related("action").filter(status=Appeal.Status.QUEUED))
    if not appeals:
        return 0
    had = Message.objects.of(KIND, [a.pk for a in appeals])
    again = set(had.values_list("ref", flat=True))
    had.release()
    had.retry()
    Message.objects.bulk_create(
        [
            Message(
                kind=KIND,
                ref=appeal.pk,
                # One official's inbox or fax line: at most the action's number an hour, faxes spaced.
                pace=f"target-{appeal.target_id}",
                per_hour=appeal.action.max_appeals_per_target_per_hour,
                gap_seconds=settings.FAX_MIN_SPACING_SECONDS if appeal.channel == Appeal.Channel.FAX else 0,
            )  # fmt: skip
            for appeal in appeals
            if appeal.pk not in again
        ]
    )
    transaction.on_commit(runs_kick)
    return len(appeals)


def letters_hold(appeal_ids) -> int:
    return Message.objects.of(KIND, appeal_ids).hold()


def letters_cancel(appeal_ids) -> int:
    return Message.objects.of(KIND, appeal_ids).cancel()


def letters_in_flight(appeal_ids) -> set[int]:
    """The appeals whose letter a worker is sending right now."""
    return set(
        Message.objects.of(KIND, appeal_ids)
        .filter(status=Message.Status.SENDING)
        .values_list("ref", flat=True)
    )


class ConfirmationSender(Sender):
    """ "Confirm your letters": the one-time link that makes a form's letters the address owner's."""

    kind = Message.Kind.LETTERS_CONFIRMATION

    def envelopes(self, messages: list[Message]) -> dict[int, Envelope | str | None]:
        rows = EmailConfirmation.objects.waiting().in_bulk(m.ref for m in messages)
        return {m.pk: self.envelope(rows.get(m.ref)) for m in messages}

    def envelope(self, confirmation: EmailConfirmation | None) -> Envelope | None:
        if confirmation is None:
            return None  # confirmed, expired or erased since
        # Anyone may write in anyone's name: one inbox gets a few of these an hour, however many forms.
        if not allow(
            "appeal-confirm:email", confirmation.email_hash,
            limit=settings.APPEAL_CONFIRM_EMAILS_PER_EMAIL, window=3600,
        ):  # fmt: skip
            return "too many confirmation emails to this address this hour"
        appeals = list(
            Appeal.objects.filter(submission=confirmation.submission)
            .select_related("action", "target")
            .order_by("target__position")
        )
        if not appeals:
            return None
        # A new link on each try: an older copy of the email stops working.
        token = confirmation.new_link_token()
        with translation.override(confirmation.language or settings.LANGUAGE_CODE):
            path = reverse("appeals:confirm_email", kwargs={"token": token})
            context = {
                "action": appeals[0].action,
                "appeals": appeals,
                "desk_sends": any(a.channel in Appeal.DESK_CHANNELS for a in appeals),
                "confirm_url": f"{settings.LINK_BASE_URL}{path}",
                "days": settings.APPEAL_CONFIRM_DAYS,
            }
            letter = templated("appeals/emails/confirm", context)
        return Envelope("email", letter, confirmation.email)


class ReceiptSender(Sender):
    """What a supporter sent, once they confirmed their email: each letter, to whom, how, where it
    stands, and the link to their data. Their own record, asked for by confirming: no unsubscribe."""

    kind = Message.Kind.LETTERS_RECEIPT

    def envelopes(self, messages: list[Message]) -> dict[int, Envelope | str | None]:
        return {m.pk: self.envelope(m.params.get("submission", "")) for m in messages}

    def envelope(self, submission: str) -> Envelope | None:
        appeals = list(
            Appeal.objects.filter(submission=submission, supporter__isnull=False)
            .select_related("action", "target", "supporter")
            .order_by("target__position")
        )
        if not appeals:
            return None  # erased since
        supporter = appeals[0].supporter
        with translation.override(supporter.page_language):
            context = {"action": appeals[0].action, "appeals": appeals, "data_url": data_url(supporter)}
            letter = templated("appeals/emails/receipt", context)
        return Envelope("email", letter, supporter.email)


def register() -> None:
    sender_register(LetterSender())
    sender_register(ConfirmationSender())
    sender_register(ReceiptSender())
