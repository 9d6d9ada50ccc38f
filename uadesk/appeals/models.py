"""Appeals: what one supporter sent to one target by one channel, and every attempt to deliver it."""

import datetime
import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import Action, Target
from uadesk.delivery.models import Message
from uadesk.delivery.transport import OutgoingLetter
from uadesk.supporters import crypto

from .bounces import bounce_address
from .letters import initials, letter_html

# Appeals became counted by an UPDATE or a bulk_create (sent by the desk, sent by the supporter, posted,
# counted at an event), which send no post_save. Sent inside the transaction that counts them, with
# `appeal_ids`: a receiver's rows (the API's webhook messages) commit, or vanish, with the count.
appeals_counted = Signal()


class AppealQuerySet(models.QuerySet):
    def counted(self) -> "AppealQuerySet":
        """Appeals that went out, whoever sent them."""
        return self.filter(status__in=Appeal.COUNTED)


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
        # Its message is in the outbox (uadesk.delivery): waiting, or being sent.
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        AWAITING_SUPPORTER = "awaiting", _("Waiting for the supporter to send it")
        SENT_BY_SUPPORTER = "sent_by_supporter", _("Sent by the supporter")
        POSTED = "posted", _("Posted")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")
        # Never to be sent, and never retried: erased, over the supporter's limit, or not confirmed.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Signing(models.TextChoices):
        """What the officials see of who wrote: networks advise writers at risk to sign with initials."""

        NAME = "name", _("My name and town")
        INITIALS = "initials", _("My initials and town only")
        NO_NAME = "none", _("No name: only my town, if I give it")

        def name_shown(self, name: str) -> str:
            """The name as the letter is signed with it: whole, as initials, or none."""
            kind = type(self)
            if self == kind.NAME:
                return " ".join(name.split())
            return initials(name) if self == kind.INITIALS else ""

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
    # As the letter is signed: the desk keeps no more of the name than the officials see (Signing).
    supporter_name = models.CharField(_("supporter's name"), max_length=200)
    supporter_town = models.CharField(_("supporter's town"), max_length=200, blank=True)
    supporter_country = models.CharField(_("supporter's country"), max_length=2, blank=True)
    signed_as = models.CharField(
        _("signed with"), max_length=10, choices=Signing.choices, default=Signing.NAME,
        help_text=_("With initials or no name, the officials get no reply address either."),
    )  # fmt: skip
    sender_blank = models.BooleanField(
        _("sender's address left blank on the printed letter"), default=False,
        help_text=_("The supporter fills it in by hand, or not at all."),
    )  # fmt: skip
    # The supporter, once they confirmed the email they gave (EmailConfirmation): the target's reply
    # goes to them, and one supporter writes once to a target per action. Their address is kept
    # sealed there, not in this row.
    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.SET_NULL, null=True, blank=True, related_name="appeals"
    )
    # The section's version of the action the letter was written from, if any: its officials are
    # offered next, and its deadline is the one that counts.
    localisation = models.ForeignKey(
        "actions.Localisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="appeals"
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
    # Why it was withdrawn; a delivery's errors are on its outbox message.
    last_error = models.CharField(max_length=500, blank=True)
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
                condition=~Q(status__in=["queued"]) | Q(channel__in=["email", "fax"]),
                name="appeal_only_desk_channels_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.target} ({self.get_status_display()})"

    @property
    def message_id(self) -> str:
        """The same for every attempt, so a retried email is recognisable as the same letter."""
        return f"<appeal-{self.submission}-{self.target_id}@uadesk>"

    def outgoing_letter(self, *, pdf: bytes | None = None) -> OutgoingLetter:
        """The letter as a channel carries it; a fax carries it as a PDF (appeals.printing makes it)."""
        attachments = [("letter.pdf", pdf, "application/pdf")] if pdf else []
        return OutgoingLetter(
            subject=self.subject,
            text=self.body,
            html=letter_html(self.body),
            # Only a letter signed with the whole name says where to reply: an address often names its
            # owner, and a writer at risk keeps it from the officials with their name.
            reply_to=self.supporter.email if self.supporter_id and self.shows_writer() else None,
            message_id=self.message_id,
            attachments=attachments,
            # A fax goes as an email to the gateway, whose failure reports ("busy", "no answer") come
            # back to the envelope sender like any bounce: without it they would reach nobody.
            bounce_address=bounce_address(self.pk) if self.channel in self.DESK_CHANNELS else None,
        )

    def shows_writer(self) -> bool:
        """The officials may learn who wrote: the letter is signed with the whole name."""
        return self.signed_as == self.Signing.NAME

    def is_counted(self) -> bool:
        return self.status in self.COUNTED

    def is_on_its_way(self) -> bool:
        """Its status may still change without the supporter doing anything on its page: they confirm
        their email elsewhere, staff read it, the desk sends it."""
        return self.status in (self.Status.UNCONFIRMED, self.Status.HELD, self.Status.QUEUED)

    def is_printable(self) -> bool:
        """A letter for the post: printed before the supporter posts it, and again after (a spoiled
        page, a second copy), as long as it is theirs to post."""
        return self.channel == self.Channel.POST and self.status in (
            self.Status.AWAITING_SUPPORTER,
            self.Status.POSTED,
        )

    def status_for_supporter(self) -> str:
        """Where the letter stands, in words for the supporter who wrote it: the status's own label is
        the staff's, and speaks of "the supporter"."""
        S = self.Status
        if self.status == S.AWAITING_SUPPORTER:
            if self.channel == self.Channel.POST:
                return gettext("Ready for you to print and post")
            return gettext("Ready for you to send from your own mail app")
        words = {
            S.UNCONFIRMED: gettext("Waiting for you to confirm your email"),
            S.HELD: gettext("Waiting to be read by the campaign team"),
            S.QUEUED: gettext("Being sent"),
            S.SENT: gettext("Sent"),
            S.SENT_BY_SUPPORTER: gettext("Sent by you"),
            S.POSTED: gettext("Posted by you"),
            S.BOUNCED: gettext("Not delivered: the address refused it"),
            S.FAILED: gettext("Could not be sent"),
            S.WITHDRAWN: gettext("Not sent"),
        }
        return words.get(self.status, self.get_status_display())

    def delivery(self):
        """Its latest message in the outbox, with the attempts to send it; None for a letter the desk
        does not send, or one not yet queued."""
        return Message.objects.filter(kind=Message.Kind.APPEAL, ref=self.pk).order_by("-pk").first()

    def confirm_sent_by_supporter(self) -> bool:
        """The supporter says they sent it from their own mail app (or posted it): now it counts, once."""
        status = self.Status.POSTED if self.channel == self.Channel.POST else self.Status.SENT_BY_SUPPORTER
        with transaction.atomic():
            done = Appeal.objects.filter(pk=self.pk, status=self.Status.AWAITING_SUPPORTER).update(
                status=status, sent_at=timezone.now()
            )
            if done:
                appeals_counted.send(sender=Appeal, appeal_ids=[self.pk])
        self.refresh_from_db()
        return bool(done)


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


class EmailConfirmationQuerySet(models.QuerySet):
    def waiting(self):
        """Those whose owner has not confirmed yet: a spent one has no address left."""
        return self.filter(confirmed_at__isnull=True)


class EmailConfirmation(models.Model):
    """The email given with one compose form, until its owner confirms it from the email sent there.

    Anyone can type anyone's address. Until the owner's click, the form's letters belong to nobody:
    they count against no one, refuse no one, show on no data page and bring no news, and the desk's
    own sends wait (Appeal.Status.UNCONFIRMED). The address is sealed and found by its keyed hash, as
    on Supporter. Once confirmed the address goes and the row stays, spent (`confirmed_at`), so that
    the link shows what it confirmed when clicked again or when the answer to the click was lost with
    the database connection; every row goes after APPEAL_CONFIRM_DAYS."""

    submission = models.UUIDField(unique=True, editable=False)
    email_sealed = models.BinaryField(editable=False)
    email_hash = models.CharField(max_length=64, db_index=True, editable=False)
    language = models.CharField(max_length=20, blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EmailConfirmationQuerySet.as_manager()

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
        """The confirmation of this link, spent in the caller's transaction: its address is erased, so
        a second click, or two at once, takes nothing. None for a link unknown, used or expired."""
        if not token or len(token) > 64:
            return None
        found = cls.objects.waiting().filter(token_hash=token_hash(token)).first()
        if found is None or found.is_expired(now):
            return None
        spent = (
            cls.objects.waiting()
            .filter(pk=found.pk, token_hash=found.token_hash)
            .update(confirmed_at=now or timezone.now(), email_sealed=b"", email_hash="")
        )
        return found if spent else None

    @classmethod
    def spent(cls, token: str) -> "EmailConfirmation | None":
        """The confirmation this link already confirmed, if any."""
        if not token or len(token) > 64:
            return None
        return cls.objects.filter(token_hash=token_hash(token), confirmed_at__isnull=False).first()


def written_from(appeals: list[Appeal]):
    """The section version one form's letters were written from: as recorded on them, or, for letters
    written before it was recorded, the one whose officials they reached."""
    return next((a.localisation for a in appeals if a.localisation_id), None) or next(
        (a.target.localisation for a in appeals if a.target.localisation_id), None
    )
