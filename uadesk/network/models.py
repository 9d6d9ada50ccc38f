"""The network: its members and their choices, the addresses never to mail, and the mailings of each case.

On a desk that hosts several sections each section is a network of its own: a member, a mailing and the
leaving of one belong to one section (or, with no section, to the office), and a mailing reaches the
members of its own section only. One person may be a member of two, each with their own consent."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import Action, Outcome, Section, Theme
from uadesk.supporters import crypto
from uadesk.supporters.models import Supporter


def codes(text: str) -> list[str]:
    """A comma-separated list of codes ("fr, en") as a list, in its order, without repeats."""
    return list(dict.fromkeys(c.strip() for c in text.split(",") if c.strip()))


class Member(models.Model):
    """One person in one section's network (or the office's): a supporter (one row whatever the spelling
    of their address) who agreed to receive that network's cases, with what they chose. Their address
    stays on the supporter, sealed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Member")
        LEFT = "left", _("Left")

    class Channel(models.TextChoices):
        EMAIL = "email", _("By email")
        POST = "post", _("By post")

    class Source(models.TextChoices):
        SITE = "site", _("Joined on the site")
        IMPORT = "import", _("Imported by staff")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="members")
    # Empty: the office's own network. PROTECT: a section's members are never the office's by accident.
    section = models.ForeignKey(
        Section, verbose_name=_("section"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="members",
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(_("joined by"), max_length=10, choices=Source.choices, default=Source.SITE)
    # What they agreed to, word for word and by version, and when: the proof of consent.
    consent_text = models.TextField(_("consent text"), blank=True)
    consent_version = models.CharField(_("consent version"), max_length=40, blank=True)
    consented_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    # For an import: where that consent came from ("paper forms, letter-writing evening 2026-11").
    consent_origin = models.CharField(_("where the consent came from"), max_length=300, blank=True)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    languages = models.CharField(
        _("languages"), max_length=100, default="en",
        help_text=_("Language codes in the order they prefer them, separated by commas, e.g. “fr, en”."),
    )  # fmt: skip
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # For the post channel: their name and postal address, sealed as the email is.
    postal_sealed = models.BinaryField(_("postal address (encrypted)"), null=True, blank=True, editable=False)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    most_per_30_days = models.PositiveSmallIntegerField(
        _("at most this many cases in any 30 days"), null=True, blank=True,
        help_text=_("Empty: every Urgent Action."),
    )  # fmt: skip
    countries = models.CharField(
        _("countries of interest"), max_length=300, blank=True, help_text=_("ISO codes; empty: any country.")
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes of interest"), blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    # Temporary bounces of the emails sent to them in a row, and the outbox message of the last one:
    # NETWORK_SOFT_BOUNCES_TO_SUPPRESS of them and the address is not mailed again (members.py).
    soft_bounces = models.PositiveSmallIntegerField(default=0, editable=False)
    soft_bounce_message = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [models.Index(fields=["status", "channel"], name="member_status_channel")]
        constraints = [
            models.CheckConstraint(
                condition=Q(most_per_30_days__isnull=True) | Q(most_per_30_days__gte=1),
                name="member_at_least_one_case",
            ),
            # One person is one member of a network whatever the spelling of their address (the supporter
            # is one row per address): once in each section, and once in the office's. Two conditional
            # constraints, as NULLs are distinct in a plain one on every database.
            models.UniqueConstraint(
                fields=["supporter", "section"],
                condition=Q(section__isnull=False),
                name="one_member_per_section",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["supporter"],
                condition=Q(section__isnull=True),
                name="one_office_member_per_supporter",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('member')} #{self.pk}"

    def language_list(self) -> list[str]:
        return codes(self.languages)

    def country_list(self) -> list[str]:
        return [c.upper() for c in codes(self.countries)]

    @property
    def postal_address(self) -> str:
        return crypto.unseal(self.postal_sealed) if self.postal_sealed else ""

    @postal_address.setter
    def postal_address(self, text: str) -> None:
        self.postal_sealed = crypto.seal(text.strip()) if text.strip() else None

    def is_paused(self, today: datetime.date | None = None) -> bool:
        return self.paused_until is not None and self.paused_until >= (today or timezone.localdate())

    def receives_mail(self, today: datetime.date | None = None) -> bool:
        return self.status == self.Status.ACTIVE and not self.is_paused(today)

    def clean(self) -> None:
        if not self.language_list():
            raise ValidationError({"languages": _("Choose at least one language.")})
        if self.channel == self.Channel.POST and not self.postal_sealed:
            raise ValidationError({"channel": _("Cases by post need a postal address.")})


class Suppression(models.Model):
    """An address never to mail again, by its keyed hash: it outlives the member, an erasure and every
    import, so that nobody who left is mailed again whatever staff do.

    A bounce or a spam complaint is about the address: no network on the desk mails it. Leaving is from
    one network, the section's (or, with no section, the office's) whose member left: a section where the
    same person is a member too still mails them, on their own consent to it."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Left the network")
        HARD_BOUNCE = "hard_bounce", _("Address does not exist")
        SOFT_BOUNCES = "soft_bounces", _("Bounced again and again")
        COMPLAINT = "complaint", _("Marked as spam")

    email_hash = models.CharField(max_length=64, db_index=True, editable=False)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    # Only for leaving: the network left (empty: the office's). PROTECT, as for members.
    section = models.ForeignKey(
        Section, verbose_name=_("section"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="suppressions",
    )  # fmt: skip
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    # A bounce says the address failed once; the owner may mend it. Leaving and a spam complaint are the
    # person's own word: only they undo the first (by joining again), and nobody the second.
    LIFTABLE = (Reason.HARD_BOUNCE, Reason.SOFT_BOUNCES)

    class Meta:
        verbose_name = _("address not to mail")
        verbose_name_plural = _("addresses not to mail")
        permissions = [("lift_suppression", _("Can mail a bounced address again"))]
        # One row per address for the address itself (the first reason stays), and one per network left.
        constraints = [
            models.CheckConstraint(
                condition=Q(reason="unsubscribed") | Q(section__isnull=True),
                name="suppression_section_if_left",
            ),
            models.UniqueConstraint(
                fields=["email_hash"], condition=~Q(reason="unsubscribed"), name="one_address_suppression"
            ),
            models.UniqueConstraint(
                fields=["email_hash"],
                condition=Q(reason="unsubscribed", section__isnull=True),
                name="one_office_leaving",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["email_hash", "section"],
                condition=Q(reason="unsubscribed", section__isnull=False),
                name="one_section_leaving",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return self.get_reason_display()

    @classmethod
    def against(cls, section: "Section | int | None") -> models.QuerySet:
        """The rows that stop mail from this section's network (None: the office's): every bounce and
        complaint, and who left that network."""
        return cls.objects.filter(~Q(reason=cls.Reason.UNSUBSCRIBED) | Q(section=section))

    @classmethod
    def stops(cls, members: list["Member"]) -> set[int]:
        """The ids of the members (their supporters loaded) whose own network must not mail their address."""
        hashes = {member.supporter.email_hash for member in members}
        rows = cls.objects.filter(email_hash__in=hashes).values_list("email_hash", "reason", "section_id")
        everywhere = {h for h, reason, _section in rows if reason != cls.Reason.UNSUBSCRIBED}
        left = {(h, section) for h, reason, section in rows if reason == cls.Reason.UNSUBSCRIBED}
        return {
            m.pk
            for m in members
            if m.supporter.email_hash in everywhere or (m.supporter.email_hash, m.section_id) in left
        }

    @classmethod
    def add(cls, email_hash: str, reason: str, section: "Section | None" = None) -> None:
        """`section` is the network left, for UNSUBSCRIBED; any other reason is about the address."""
        if reason == cls.Reason.UNSUBSCRIBED:
            cls.objects.get_or_create(email_hash=email_hash, reason=reason, section=section)
        else:
            cls.objects.exclude(reason=cls.Reason.UNSUBSCRIBED).get_or_create(
                email_hash=email_hash, defaults={"reason": reason}
            )


class Mailing(models.Model):
    """One action, update or outcome sent to one network's members, a section's or (with no section) the
    office's: drafted on publishing, one for each network on the desk, and sent by that network's staff.
    Its audience is its own network's members only: they gave their consent to that network, not to the
    desk, and each network paces its members on its own (the allocation counts its own mailings)."""

    class Kind(models.TextChoices):
        NEW = "new", _("New Urgent Action")
        UPDATE = "update", _("Update")
        OUTCOME = "outcome", _("Outcome")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="mailings"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEW)
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.SET_NULL, related_name="mailings"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="mailings",
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The audience: each empty filter takes everyone.
    languages = models.CharField(_("languages"), max_length=100, blank=True)
    countries = models.CharField(_("members interested in these countries"), max_length=300, blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("members interested in these themes"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Member.Channel.choices, blank=True)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    created_at = models.DateTimeField(_("drafted"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # Every recipient is written (the task that plans and queues them finished).
    queued_all_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_by = models.CharField(_("by"), max_length=150, blank=True)
    # Members by post get a printed run (printrun.py); staff mark it posted when it is in the post.
    posted_at = models.DateTimeField(_("last posted"), null=True, blank=True, editable=False)
    posted_count = models.PositiveIntegerField(_("letters posted"), default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.action}"

    def is_under_way(self) -> bool:
        return self.status in (self.Status.SENDING, self.Status.PAUSED)


class Recipient(models.Model):
    """One member in one mailing: planned by the allocation, then a message in the outbox."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        BOUNCED = "bounced", _("Bounced")
        SKIPPED = "skipped", _("Not sent")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="mailed")
    language = models.CharField(max_length=20)
    channel = models.CharField(max_length=10, choices=Member.Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    # Why the allocation chose them ("reads zh", "chose CN"), shown to staff.
    why = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # They left the network from this mailing's link: the mailing's report counts it.
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "member"],
                condition=Q(member__isnull=False),
                name="one_recipient_per_member",
            )
        ]
        indexes = [
            models.Index(fields=["member", "created_at"], name="recipient_member_time"),
            models.Index(fields=["mailing", "status"], name="recipient_mailing_status"),
        ]

    def __str__(self) -> str:
        return f"{self.mailing} → #{self.member_id}"


class ActedReport(models.Model):
    """A member's "I have acted" from a mailing: an appeal made off the desk (their own email, a letter
    posted, a fax), counted once per member, action and channel."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email sent")
        POST = "post", _("Letter posted")
        FAX = "fax", _("Fax sent")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="acted_reports")
    mailing = models.ForeignKey(Mailing, null=True, on_delete=models.SET_NULL, related_name="acted_reports")
    # Erasure keeps the count and drops the link to the person.
    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="acted")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "action", "channel"],
                condition=Q(member__isnull=False),
                name="one_acted_per_member_action_channel",
            )  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.action}"
