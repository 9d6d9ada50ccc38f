"""Appeals: what one supporter sent to one target by one channel, and every attempt to deliver it."""

import datetime
import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import Action, Target
from uadesk.delivery.transport import OutgoingLetter
from uadesk.supporters import crypto

from .bounces import bounce_address
from .letters import letter_html


def backoff(attempt: int) -> datetime.timedelta:
    """Retries of a temporary failure wait 1, 4, 16, 64 ... minutes (scaled by a setting in tests)."""
    return datetime.timedelta(seconds=settings.APPEAL_RETRY_BASE_SECONDS * 4 ** (attempt - 1))


class AppealQuerySet(models.QuerySet):
    def counted(self) -> "AppealQuerySet":
        """Appeals that went out, whoever sent them."""
        return self.filter(status__in=Appeal.COUNTED)

    def due(self, now: datetime.datetime) -> "AppealQuerySet":
        """The desk's own sends that may go now: queued and due, or held by a worker whose lease ran out."""
        return self.filter(
            Q(status=Appeal.Status.QUEUED, next_attempt_at__isnull=True)
            | Q(status=Appeal.Status.QUEUED, next_attempt_at__lte=now)
            | Q(status=Appeal.Status.SENDING, claimed_until__lt=now),
            channel__in=Appeal.DESK_CHANNELS,
        )


class Appeal(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email sent by the desk")
        MAILTO = "mailto", _("Email from my own mail app")
        FAX = "fax", _("Fax")
        POST = "post", _("Post")

    class Status(models.TextChoices):
        # The supporter gave their email: the desk's own sends wait until they confirm it.
        UNCONFIRMED = "unconfirmed", _("Waiting for the supporter to confirm their email")
        HELD = "held", _("Held for review")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        AWAITING_SUPPORTER = "awaiting", _("Waiting for the supporter to send it")
        SENT_BY_SUPPORTER = "sent_by_supporter", _("Sent by the supporter")
        POSTED = "posted", _("Posted")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")
        # Never to be sent, and never retried: erased, over the supporter's limit, or not confirmed.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    COUNTED = [Status.SENT, Status.SENT_BY_SUPPORTER, Status.POSTED]
    # The desk sends these itself, on the task worker.
    DESK_CHANNELS = [Channel.EMAIL, Channel.FAX]

    # The compose form's one-time key: a double click or a reload posts the same key and finds
    # the appeals it made; the database allows one appeal per key and target.
    submission = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="appeals")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="appeals")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(
        _("letter language"), max_length=20, blank=True, help_text=_("Empty: the supporter's own")
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("letter"))
    supporter_name = models.CharField(_("supporter's name"), max_length=200)
    supporter_town = models.CharField(_("supporter's town"), max_length=200, blank=True)
    supporter_country = models.CharField(_("supporter's country"), max_length=2, blank=True)
    # The supporter, once they confirmed the email they gave (EmailConfirmation): the target's reply
    # goes to them, and one supporter writes once to a target per action. Their address is kept
    # sealed there, not in this row.
    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.SET_NULL, null=True, blank=True, related_name="appeals"
    )
    # Letters handwritten at a letter-writing event and counted there: posted, with no supporter.
    event = models.ForeignKey(
        "events.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals"
    )
    wants_updates = models.BooleanField(
        _("the supporter asked for news of this case"), default=False,
        help_text=_("Outcomes of the case are emailed to them, once each."),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "target"], name="one_appeal_per_submission_and_target"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["sending"]) | Q(channel__in=["email", "fax"]),
                name="appeal_only_desk_channels_send",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.target} ({self.get_status_display()})"

    @property
    def message_id(self) -> str:
        """The same for every attempt, so a retried email is recognisable as the same letter."""
        return f"<appeal-{self.submission}-{self.target_id}@uadesk>"

    def outgoing_letter(self, *, with_pdf: bool = False) -> OutgoingLetter:
        """The letter as a channel carries it; a fax carries it as a PDF."""
        attachments = []
        if with_pdf:
            from .printing import appeal_pdf  # fonts and the PDF engine load only when a fax goes out

            attachments.append(("letter.pdf", appeal_pdf(self, envelope=None), "application/pdf"))
        return OutgoingLetter(
            subject=self.subject,
            text=self.body,
            html=letter_html(self.body),
            reply_to=self.supporter.email if self.supporter_id else None,
            message_id=self.message_id,
            attachments=attachments,
            # A fax goes as an email to the gateway, whose failure reports ("busy", "no answer") come
            # back to the envelope sender like any bounce: without it they would reach nobody.
            bounce_address=bounce_address(self.pk) if self.channel in self.DESK_CHANNELS else None,
        )

    def is_counted(self) -> bool:
        return self.status in self.COUNTED

    @classmethod
    def claim_due(cls, now: datetime.datetime, *, token: str, limit: int) -> list["Appeal"]:
        """Takes up to `limit` appeals that are due for delivery; a row goes to one worker only."""
        lease = now + datetime.timedelta(seconds=settings.APPEAL_DELIVERY_LEASE_SECONDS)
        ids = cls._within_target_limits(now, limit)
        # The conditions are checked again in the UPDATE itself, so a row another worker took
        # in the meantime is left alone.
        cls.objects.due(now).filter(pk__in=ids).update(
            status=cls.Status.SENDING, claimed_by=token, claimed_until=lease
        )
        return list(
            cls.objects.filter(pk__in=ids, claimed_by=token, status=cls.Status.SENDING)
            .select_related("target", "action", "supporter")
            .order_by("pk")
        )

    @classmethod
    def _within_target_limits(cls, now: datetime.datetime, limit: int) -> list[int]:
        """Due appeals that their target may receive now: at most the action's number per hour, and
        faxes to one target spaced apart. The others wait until their target has room again."""
        candidates = list(
            cls.objects.due(now)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "target_id", "channel", "action__max_appeals_per_target_per_hour")[: limit * 4]
        )
        targets = {target for _, target, _, _ in candidates}
        recent = cls.objects.filter(target_id__in=targets).filter(
            Q(status=cls.Status.SENT, sent_at__gte=now - datetime.timedelta(hours=1))
            | Q(status=cls.Status.SENDING, claimed_until__gte=now)
        )
        per_hour = dict(
            recent.values_list("target_id").annotate(n=models.Count("pk")).values_list("target_id", "n")
        )
        fax_spacing = datetime.timedelta(seconds=settings.FAX_MIN_SPACING_SECONDS)
        faxed = set(
            recent.filter(channel=cls.Channel.FAX)
            .filter(Q(sent_at__gte=now - fax_spacing) | Q(status=cls.Status.SENDING))
            .values_list("target_id", flat=True)
        )
        chosen, waiting = [], {}
        for pk, target, channel, quota in candidates:
            if per_hour.get(target, 0) >= quota:
                waiting[pk] = now + datetime.timedelta(seconds=3600 / max(quota, 1))
            elif channel == cls.Channel.FAX and target in faxed:
                waiting[pk] = now + fax_spacing
            elif len(chosen) < limit:
                chosen.append(pk)
                per_hour[target] = per_hour.get(target, 0) + 1
                if channel == cls.Channel.FAX:
                    faxed.add(target)
        for pk, when in waiting.items():
            cls.objects.filter(pk=pk, status=cls.Status.QUEUED).update(next_attempt_at=when)
        return chosen

    def begin_attempt(self, *, token: str, worker: str = "") -> "DeliveryAttempt | None":
        """Records the attempt before the send, and renews the lease; None if the claim was lost."""
        now = timezone.now()
        # No savepoint: inside the delivery run's transaction it would cost two more statements a letter.
        with transaction.atomic(savepoint=False):
            # Only the claim's holder counts attempts, so the count read with the claim is current.
            kept = Appeal.objects.filter(pk=self.pk, claimed_by=token, status=self.Status.SENDING).update(
                claimed_until=now + datetime.timedelta(seconds=settings.APPEAL_DELIVERY_LEASE_SECONDS),
                attempts=self.attempts + 1,
            )
            if not kept:
                return None
            self.attempts += 1
            return DeliveryAttempt.objects.create(
                appeal=self, number=self.attempts, worker=worker, started_at=now
            )

    def record_sent(self, attempt: "DeliveryAttempt") -> None:
        with transaction.atomic(savepoint=False):
            now = timezone.now()
            Appeal.objects.filter(pk=self.pk).update(status=self.Status.SENT, sent_at=now, claimed_until=None)
            attempt.finish(DeliveryAttempt.Outcome.SENT)

    def record_failure(
        self, attempt: "DeliveryAttempt", error: str, *, permanent: bool
    ) -> datetime.datetime | None:
        """Back to the queue after a pause, or failed for good; returns when to try again, if ever."""
        now = timezone.now()
        give_up = permanent or self.attempts >= settings.APPEAL_MAX_ATTEMPTS
        retry_at = None if give_up else now + backoff(self.attempts)
        with transaction.atomic():
            Appeal.objects.filter(pk=self.pk).update(
                # Held while it was being sent (its target's address changed): it waits for staff.
                status=self.Status.FAILED
                if give_up
                else Case(
                    When(status=self.Status.HELD, then=Value(self.Status.HELD)),
                    default=Value(self.Status.QUEUED),
                ),
                last_error=error[:500],
                next_attempt_at=retry_at,
                claimed_until=None,
            )
            attempt.finish(
                DeliveryAttempt.Outcome.FAILED if give_up else DeliveryAttempt.Outcome.RETRY, error
            )
        self.refresh_from_db()
        return retry_at

    def confirm_sent_by_supporter(self) -> bool:
        """The supporter says they sent it from their own mail app (or posted it): now it counts, once."""
        status = self.Status.POSTED if self.channel == self.Channel.POST else self.Status.SENT_BY_SUPPORTER
        done = Appeal.objects.filter(pk=self.pk, status=self.Status.AWAITING_SUPPORTER).update(
            status=status, sent_at=timezone.now()
        )
        self.refresh_from_db()
        return bool(done)


class DeliveryKick(models.Model):
    """One row: is a delivery run already queued? A burst of appeals then queues one run, not one each."""

    pending = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"delivery run {'queued' if self.pending else 'not queued'}"


class DeliveryAttempt(models.Model):
    """One try at delivering an appeal, written before the send and finished after it."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        RETRY = "retry", _("Failed, will retry")
        FAILED = "failed", _("Failed for good")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attempts_log")
    number = models.PositiveSmallIntegerField()
    worker = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["started_at"]
        constraints = [models.UniqueConstraint(fields=["appeal", "number"], name="one_row_per_attempt")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.appeal_id}: {self.outcome or 'unfinished'}"

    def finish(self, outcome: str, detail: str = "") -> None:
        self.outcome, self.detail, self.finished_at = outcome, detail[:500], timezone.now()
        DeliveryAttempt.objects.filter(pk=self.pk).update(
            outcome=self.outcome, detail=self.detail, finished_at=self.finished_at
        )


class TargetBounce(models.Model):
    """A letter to a target came back permanently, or with no sign of what it was: staff see why a
    target's email is marked failing. Only permanent bounces of different letters count towards it."""

    class Kind(models.TextChoices):
        PERMANENT = "permanent", _("Permanent failure")
        UNKNOWN = "unknown", _("Not a delivery report")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="bounces")
    # Kept when the appeal goes (erased with its supporter): the target's history stays.
    appeal = models.ForeignKey(Appeal, on_delete=models.SET_NULL, null=True, related_name="bounces")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status code"), max_length=12, blank=True)
    diagnostic = models.CharField(_("diagnostic"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("bounce")
        verbose_name_plural = _("bounces")

    def __str__(self) -> str:
        return f"{self.kind} {self.status} to {self.target_id}".strip()

    @classmethod
    def letters_counting(cls, target: Target, now: datetime.datetime) -> int:
        """The different letters to this target that bounced for good within TARGET_BOUNCE_WINDOW_DAYS
        and since staff last took its email again: TARGET_BOUNCES_TO_FAIL of them mark it failing."""
        since = now - datetime.timedelta(days=settings.TARGET_BOUNCE_WINDOW_DAYS)
        if target.email_bounces_cleared_at:
            since = max(since, target.email_bounces_cleared_at)
        counting = cls.objects.filter(target=target, kind=cls.Kind.PERMANENT, received_at__gt=since)
        return counting.values("appeal_id").distinct().count()


class Reply(models.Model):
    """A target answered a supporter's letter: the supporter tells us, staff read it as an outcome signal."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="replies")
    received_on = models.DateField(_("received on"), null=True, blank=True)
    text = models.TextField(_("the answer"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reply from a target")
        verbose_name_plural = _("replies from targets")

    def __str__(self) -> str:
        return _("Reply from %(target)s") % {"target": self.appeal.target}


def token_hash(token: str) -> str:
    # The token is 192 random bits: a plain hash is enough, and a stolen table holds no working link.
    return hashlib.sha256(token.encode()).hexdigest()


class EmailConfirmation(models.Model):
    """The email given with one compose form, until its owner confirms it from the email sent there.

    Anyone can type anyone's address. Until the owner's click, the form's letters belong to nobody:
    they count against no one, refuse no one, show on no data page and bring no news, and the desk's
    own sends wait (Appeal.Status.UNCONFIRMED). The address is sealed and found by its keyed hash, as
    on Supporter; the row goes once confirmed, or after APPEAL_CONFIRM_DAYS."""

    submission = models.UUIDField(unique=True, editable=False)
    email_sealed = models.BinaryField(editable=False)
    email_hash = models.CharField(max_length=64, db_index=True, editable=False)
    language = models.CharField(max_length=20, blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("email waiting for confirmation")
        verbose_name_plural = _("emails waiting for confirmation")

    def __str__(self) -> str:
        return f"confirmation #{self.pk}"

    @classmethod
    def for_email(cls, email: str, *, submission, language: str = "") -> "EmailConfirmation":
        return cls.objects.create(
            submission=submission,
            email_sealed=crypto.seal(email.strip()),
            email_hash=crypto.email_hash(email),
            language=language,
        )

    @property
    def email(self) -> str:
        return crypto.unseal(self.email_sealed)

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        days = datetime.timedelta(days=settings.APPEAL_CONFIRM_DAYS)
        return self.created_at < (now or timezone.now()) - days

    def new_link_token(self) -> str:
        """A fresh one-time token for the email; only its hash is kept, and an earlier link stops working."""
        token = secrets.token_urlsafe(24)
        self.token_hash = token_hash(token)
        type(self).objects.filter(pk=self.pk).update(token_hash=self.token_hash)
        return token

    @classmethod
    def take(cls, token: str, now: datetime.datetime | None = None) -> "EmailConfirmation | None":
        """The confirmation of this link, spent: the row is deleted in the caller's transaction, so a
        second click, or two at once, finds nothing. None for a link unknown, used or expired."""
        if not token or len(token) > 64:
            return None
        found = cls.objects.filter(token_hash=token_hash(token)).first()
        if found is None or found.is_expired(now):
            return None
        deleted, _ = cls.objects.filter(pk=found.pk, token_hash=found.token_hash).delete()
        return found if deleted else None
