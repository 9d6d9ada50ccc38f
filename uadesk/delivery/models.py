"""The outbox: one row for everything the desk sends, and one row for each try at sending it."""

import datetime

from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .email import without_addresses


class MessageQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime) -> "MessageQuerySet":
        """Messages that may go now: waiting and due, or taken by a worker whose lease ran out."""
        return self.filter(
            Q(status=Message.Status.WAITING, next_attempt_at__isnull=True)
            | Q(status=Message.Status.WAITING, next_attempt_at__lte=now)
            | Q(status=Message.Status.SENDING, claimed_until__lt=now)
        )

    def due_in_order(self, now: datetime.datetime) -> list["MessageQuerySet"]:
        """due() as its three conditions (retries due, claims run out, new), each in the order of the
        index message_due: one query of the three ORed sorted every due row for each batch (21 ms with
        20,000 waiting, docs/benchmarks.md); each of these reads only as many rows as it is asked for."""
        return [
            self.filter(status=Message.Status.WAITING, next_attempt_at__lte=now).order_by(
                "next_attempt_at", "pk"
            ),
            self.filter(status=Message.Status.SENDING, claimed_until__lt=now).order_by("pk"),
            # Ordered by the column it is NULL in as well, so that the index gives the order of its ids.
            self.filter(status=Message.Status.WAITING, next_attempt_at__isnull=True).order_by(
                "next_attempt_at", "pk"
            ),
        ]

    def of(self, kind: str, refs) -> "MessageQuerySet":
        return self.filter(kind=kind, ref__in=list(refs))

    def sent_at_of(self, kind: str, refs) -> dict:
        """When the messages about these rows went, by row."""
        sent = self.of(kind, refs).filter(status=Message.Status.SENT)
        return dict(sent.values_list("ref", "sent_at"))

    # What staff (and the apps, for their rows) may do to messages; each returns how many it changed.
    def hold(self) -> int:
        """They wait for staff. One a worker is sending right now still goes: its send is recorded."""
        return self.filter(status__in=[Message.Status.WAITING, Message.Status.SENDING]).update(
            status=Message.Status.HELD
        )

    def release(self) -> int:
        return self.filter(status=Message.Status.HELD).update(
            status=Message.Status.WAITING, next_attempt_at=None
        )

    def retry(self) -> int:
        """Failed ones go again, with a full set of tries; their attempts keep their numbers."""
        return self.filter(status=Message.Status.FAILED).update(
            status=Message.Status.WAITING, next_attempt_at=None, retried_from=F("attempts")
        )

    def cancel(self) -> int:
        return self.filter(
            status__in=[Message.Status.WAITING, Message.Status.HELD, Message.Status.FAILED]
        ).update(status=Message.Status.CANCELLED)


class Message(models.Model):
    """One thing the desk sends: a letter to an official, an email to a supporter, a webhook.

    It is written in the transaction of the change that causes it and names that change's row by
    `kind` and `ref`; what it carries is built from that row at the moment it goes (delivery/senders),
    so an erasure reaches it and the outbox holds no copy of anyone's words or address. Workers claim
    due messages with a conditional UPDATE, write an Attempt before each send, and retry temporary
    failures after growing waits; a claim whose lease runs out (its worker died) is taken over."""

    class Kind(models.TextChoices):
        APPEAL = "appeal", _("Letter to an official")
        LETTERS_CONFIRMATION = "letters-confirmation", _("Confirm your letters")
        LETTERS_RECEIPT = "letters-receipt", _("Receipt for a supporter's letters")
        PETITION_EMAIL = "petition-email", _("Petition email to a signer")
        OUTCOME_NEWS = "outcome-news", _("News of a case")
        REMINDER = "reminder", _("Reminder before a deadline")
        DATA_LINK = "data-link", _("Link to a supporter's data")
        WEBHOOK = "webhook", _("Webhook")
        MEMBER_CONFIRM = "member-confirm", _("Confirm joining the network")
        MEMBER_WELCOME = "member-welcome", _("Welcome to an imported member")
        MAILING = "mailing", _("A case mailed to a member")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        HELD = "held", _("Held by staff")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    ref = models.PositiveBigIntegerField(_("about row"), help_text=_("The row of its kind it is about."))
    # What the sender needs beyond its row, never anyone's address or words (e.g. which petition email).
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    # Messages with one pace key (an official by one channel) go at most `per_hour` an hour, and
    # `gap_seconds` apart where that is set (a fax machine takes one letter at a time).
    pace = models.CharField(max_length=60, blank=True)
    per_hour = models.PositiveIntegerField(null=True, blank=True)
    gap_seconds = models.PositiveIntegerField(default=0)
    # A mailing to the network's members: sent after every other waiting message, so that a letter or
    # "Confirm your letters" never waits behind a hundred thousand copies of a case.
    bulk = models.BooleanField(_("bulk"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Staff sent it again after it failed: the tries counted against its limit start from here, and
    # attempt numbers go on (a retry never reuses a number).
    retried_from = models.PositiveSmallIntegerField(default=0, editable=False)
    # The mail server's last answer, every address cut out: staff read it long after.
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_by = models.CharField(max_length=40, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("queued"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(fields=["bulk", "status", "next_attempt_at", "id"], name="message_due"),
            models.Index(fields=["kind", "ref"], name="message_about"),
            models.Index(fields=["pace", "sent_at"], name="message_pace"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.ref} ({self.get_status_display()})"

    def begin_attempt(self, *, token: str, worker: str = "", lease_seconds: int) -> "Attempt | None":
        """Records the attempt before the send and renews the lease; None if the claim was lost
        (its lease ran out and another worker took it, or staff held or cancelled it)."""
        now = timezone.now()
        if (
            self.bulk
            and self.claimed_until
            and now < self.claimed_until - datetime.timedelta(seconds=lease_seconds / 2)
        ):
            # A bulk message (a mailing's copy for one member) had its try counted and its lease set by
            # the claim that took it (outbox.claim_due): while half the lease is left, its try costs no
            # statement. Staff who pause a mailing stop it after the batch under way (tasks.BULK_BATCH).
            return Attempt(message=self, number=self.attempts, worker=worker, started_at=now)
        # No savepoint: inside the run's transaction it would cost two more statements a message.
        with transaction.atomic(savepoint=False):
            # Only the claim's holder counts attempts, so the count read with the claim is current.
            counted = {} if self.bulk else {"attempts": F("attempts") + 1}
            kept = Message.objects.filter(pk=self.pk, claimed_by=token, status=self.Status.SENDING).update(
                claimed_until=now + datetime.timedelta(seconds=lease_seconds), **counted
            )
            if not kept:
                return None
            if not self.bulk:
                self.attempts += 1
            attempt = Attempt(message=self, number=self.attempts, worker=worker, started_at=now)
            # A bulk message counts its try on its own row, which is what a takeover needs; its Attempt
            # row is written only if the try fails (finish()): no row per member for a mailing that went.
            if not self.bulk:
                attempt.save(force_insert=True)
            return attempt

    def record_sent(self, attempt: "Attempt", note: str = "") -> None:
        self.sent_at = timezone.now()
        if self.bulk:
            # One statement, so no transaction: a bulk try that went leaves no Attempt row (begin_attempt).
            # Written out: a mailing records one a copy, and the ORM's building of the same UPDATE each
            # time was a tenth of a worker's time beside the send (docs/benchmarks.md).
            with connection.cursor() as cursor:
                cursor.execute(_sent_sql(connection), [self.Status.SENT, self.sent_at, self.pk])
            return
        with transaction.atomic(savepoint=False):
            Message.objects.filter(pk=self.pk).update(
                status=self.Status.SENT, sent_at=self.sent_at, claimed_until=None, last_error=""
            )
            attempt.finish(Attempt.Result.SENT, note)

    def record_failure(
        self, attempt: "Attempt", error: str, *, permanent: bool, max_attempts: int, retry_base: int
    ) -> datetime.datetime | None:
        """Back to waiting after a pause (retry_base x 4^(n-1) seconds), or failed for good after
        max_attempts or a permanent error; returns when it goes again, if ever."""
        now = timezone.now()
        error = without_addresses(error)[:500]
        give_up = permanent or self.attempts - self.retried_from >= max_attempts
        retry_at = (
            None if give_up else now + datetime.timedelta(seconds=retry_base * 4 ** (self.attempts - 1))
        )
        with transaction.atomic():
            # Held by staff while it was being sent: it stays held.
            Message.objects.filter(pk=self.pk).exclude(status=self.Status.HELD).update(
                status=self.Status.FAILED if give_up else self.Status.WAITING
            )
            Message.objects.filter(pk=self.pk).update(
                last_error=error, next_attempt_at=retry_at, claimed_until=None
            )
            attempt.finish(Attempt.Result.FAILED if give_up else Attempt.Result.RETRY, error)
        self.refresh_from_db()
        return retry_at


def _sent_sql(connection) -> str:
    q = connection.ops.quote_name  # names from the model, no input: nothing to inject
    return (
        f"UPDATE {q(Message._meta.db_table)} SET {q('status')} = %s, {q('sent_at')} = %s, "  # noqa: S608
        f"{q('claimed_until')} = NULL, {q('last_error')} = '' WHERE {q('id')} = %s"
    )


class Attempt(models.Model):
    """One try at sending a message, written before the send and finished after it."""

    class Result(models.TextChoices):
        SENT = "sent", _("Sent")
        RETRY = "retry", _("Failed, will retry")
        FAILED = "failed", _("Failed for good")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    worker = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Result.choices, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="one_row_per_message_attempt")
        ]

    def __str__(self) -> str:
        return f"#{self.number}"

    def finish(self, outcome: str, detail: str = "") -> None:
        self.outcome, self.detail, self.finished_at = outcome, detail[:500], timezone.now()
        if self.pk is None:  # a bulk message's try (see Message.begin_attempt): on record if it failed
            if outcome != self.Result.SENT:
                self.save(force_insert=True)
            return
        Attempt.objects.filter(pk=self.pk).update(
            outcome=self.outcome, detail=self.detail, finished_at=self.finished_at
        )


class RunKick(models.Model):
    """One row: is a delivery run already queued? A burst of messages then queues one run, not one each."""

    pending = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"delivery run {'queued' if self.pending else 'not queued'}"
