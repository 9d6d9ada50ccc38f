"""Petitions and their signatures, confirmed by email and counted exactly."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import Action, Campaign
from uadesk.supporters.models import Supporter

# A signature was confirmed by its link (an UPDATE, which sends no post_save). Sent inside the transaction
# that confirms it, with `signature`: a receiver's rows (the API's webhook messages) commit with it.
signature_confirmed = Signal()


def name_key(name: str) -> str:
    """The form of a name that decides "the same person": case and spacing do not count."""
    return " ".join(name.split()).casefold()


def token_hash(token: str) -> str:
    # The token is 192 random bits: a plain hash is enough, and a stolen table holds no working link.
    return hashlib.sha256(token.encode()).hexdigest()


class PetitionQuerySet(models.QuerySet):
    def public(self) -> "PetitionQuerySet":
        """What supporters may see: never a petition of a draft action."""
        return self.exclude(action__status=Action.Status.DRAFT)

    def open(self, now: datetime.datetime | None = None) -> "PetitionQuerySet":
        """Those taking signatures, as Petition.is_open() says of one: newest first."""
        now = now or timezone.now()
        today = timezone.localdate(now)
        action_open = Q(action__status=Action.Status.PUBLISHED) & (
            Q(action__deadline_extended_to__gte=today)
            | Q(action__deadline_extended_to__isnull=True, action__deadline__gte=today)
        )
        return self.filter(
            Q(accepting=True),
            Q(closes_at__isnull=True) | Q(closes_at__gt=now),
            Q(action__isnull=True) | action_open,
        )


class Petition(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="petitions",
    )  # fmt: skip
    action = models.ForeignKey(
        Action, verbose_name=_("action"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="petitions",
    )  # fmt: skip
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("petition text"), help_text=_("What the signers ask for, as delivered."))
    addressee = models.CharField(
        _("addressed to"), max_length=300, blank=True, help_text=_("Who receives the signatures.")
    )
    goal = models.PositiveIntegerField(_("goal"), default=1000)
    accepting = models.BooleanField(
        _("open for signatures"), default=True, help_text=_("Untick to close the petition now.")
    )
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(campaign__isnull=False, action__isnull=True)
                | Q(campaign__isnull=True, action__isnull=False),
                name="petition_of_a_campaign_or_an_action",
                violation_error_message=_("A petition belongs to a campaign or to an action, not both."),
            ),
            models.CheckConstraint(
                condition=Q(goal__gt=0),
                name="petition_goal_positive",
                violation_error_message=_("The goal must be at least one signature."),
            ),  # fmt: skip
        ]
        permissions = [("export_signature_emails", _("Can export signers' email addresses"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("petitions:sign", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if bool(self.campaign_id) == bool(self.action_id):
            raise ValidationError(_("Choose either a campaign or an action for this petition."))

    def actions_to_write_for(self, today: datetime.date | None = None) -> list[Action]:
        """What a signer may do next: write a letter for this petition's action, or for the open
        actions of its campaign (a few, the nearest deadline first)."""
        today = today or timezone.localdate()
        if self.action_id:
            return [self.action] if self.action.is_open(today) else []
        return list(self.campaign.actions.open_on(today)[:3])

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        """Takes signatures: not closed by staff, not past its closing time, and its action still open."""
        now = now or timezone.now()
        if not self.accepting or (self.closes_at and now >= self.closes_at):
            return False
        return self.action is None or self.action.is_open(timezone.localdate(now))

    @property
    def count_cache_key(self) -> str:
        return f"petition-count:{self.pk}"

    def count(self) -> int:
        """Confirmed signatures, counted at most PETITION_COUNT_SECONDS ago.

        Signing writes no counter: the count is a COUNT over an index of confirmed signatures, kept
        in the shared cache for a moment, so it is exact once the signing queue has drained."""
        count = cache.get(self.count_cache_key)
        if count is None:
            count = self.signatures.confirmed().count()
            cache.set(self.count_cache_key, count, timeout=settings.PETITION_COUNT_SECONDS)
        return count

    def progress(self, count: int | None = None) -> int:
        """Per cent of the goal reached, at most 100."""
        count = self.count() if count is None else count
        return min(100, count * 100 // self.goal) if self.goal else 100


class SignatureQuerySet(models.QuerySet):
    def confirmed(self) -> "SignatureQuerySet":
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed_before(self, moment: datetime.datetime) -> "SignatureQuerySet":
        return self.filter(confirmed_at__isnull=True, created_at__lt=moment)


class Signature(models.Model):
    """One person's name under a petition; it counts once they confirmed it from their email."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    # Null once the supporter erased their data: the signature still counts, anonymously.
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="signatures"
    )
    name = models.CharField(_("name"), max_length=120)
    name_key = models.CharField(max_length=120, editable=False)
    # The signer asked to be counted without their name (a writer at risk): it still counts, and the
    # name stays for them alone (their emails, their data page, one signature per name and address);
    # no export, API answer or webhook carries it (name_shown).
    name_withheld = models.BooleanField(_("counted without the name"), default=False)
    country = models.CharField(_("country"), max_length=2)
    consent_case_updates = models.BooleanField(_("updates on this case"), default=False)
    consent_org_news = models.BooleanField(_("the organisation's other news"), default=False)
    language = models.CharField(_("language"), max_length=20, blank=True)
    # Which of the address's places this name takes: 1..PETITION_SIGNATURES_PER_EMAIL, one name each.
    household_place = models.PositiveSmallIntegerField(editable=False)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("signed at"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # When its last email went into the outbox: at most one an hour (petitions/outbox.py).
    emailed_at = models.DateTimeField(_("last emailed at"), null=True, blank=True, editable=False)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            # The database, not the code, keeps one signature per name and address, and at most
            # one name per household place: two workers taking the same form at once cannot double it.
            models.UniqueConstraint(
                fields=["petition", "supporter", "name_key"], name="one_signature_per_name_and_email"
            ),
            models.UniqueConstraint(
                fields=["petition", "supporter", "household_place"], name="one_name_per_household_place"
            ),
            models.CheckConstraint(condition=Q(household_place__gte=1), name="household_place_from_one"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(token_hash__isnull=True),
                name="signature_link_spent_once_confirmed",
            ),
        ]
        indexes = [
            # The count reads only this index.
            models.Index(
                fields=["petition"], condition=Q(confirmed_at__isnull=False), name="signature_confirmed_idx"
            ),
        ]

    def __str__(self) -> str:
        # Staff pages title a signature with this, and an admin log entry keeps it.
        return f"{self.name_shown or f'#{self.pk}'} ({self.petition})"

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        super().save(*args, **kwargs)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def name_shown(self) -> str:
        """The name as anyone but the signer sees it: none for a signature counted without it."""
        return "" if self.name_withheld else self.name

    def new_link_token(self) -> str:
        """A fresh confirmation token; only its hash is kept, and any earlier link stops working."""
        token = secrets.token_urlsafe(24)
        type(self).objects.filter(pk=self.pk, confirmed_at__isnull=True).update(token_hash=token_hash(token))
        self.token_hash = token_hash(token)
        return token

    @classmethod
    def for_link(cls, token: str) -> "Signature | None":
        """The signature a confirmation link is for, while the link still works; nothing changes."""
        if not token or len(token) > 64:
            return None
        return cls.objects.filter(token_hash=token_hash(token)).select_related("petition").first()

    @classmethod
    def confirm(cls, token: str, now: datetime.datetime | None = None) -> "Signature | None":
        """Confirms the signature of this link, once: the token is spent in the same UPDATE."""
        if not token or len(token) > 64:
            return None
        hashed, now = token_hash(token), now or timezone.now()
        signature = cls.objects.filter(token_hash=hashed).select_related("petition", "supporter").first()
        if signature is None or not signature.petition.is_open(now):
            return None
        with transaction.atomic():
            if not cls.objects.filter(pk=signature.pk, token_hash=hashed, confirmed_at__isnull=True).update(
                confirmed_at=now, token_hash=None
            ):
                return None  # another click took it a moment ago
            signature.confirmed_at, signature.token_hash = now, None
            signature_confirmed.send(sender=cls, signature=signature)
        return signature


class Submission(models.Model):
    """A signing form as it arrived, before the worker makes it a signature.

    Taking a form is one INSERT: finding the supporter, the household rules and the email are the
    worker's. The challenge's nonce is unique, so a proof of work is spent once; the row (emptied
    of the person once taken) stays until the challenge would have expired anyway."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120, blank=True)
    name_withheld = models.BooleanField(default=False)
    email_sealed = models.BinaryField(blank=True)
    country = models.CharField(max_length=2, blank=True)
    consent_case_updates = models.BooleanField(default=False)
    consent_org_news = models.BooleanField(default=False)
    language = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["id"], condition=Q(taken_at__isnull=True), name="submission_waiting_idx"),
            models.Index(fields=["expires_at"], name="submission_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"submission #{self.pk}"


class SignatureExport(models.Model):
    """The audit log: who took which petition's signatures out of the desk, and with what."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(_("staff member"), max_length=150)
    petition = models.ForeignKey(Petition, null=True, on_delete=models.SET_NULL, related_name="exports")
    petition_title = models.CharField(_("petition"), max_length=300)
    with_emails = models.BooleanField(_("with email addresses"))
    rows = models.PositiveIntegerField(_("signatures exported"))
    created_at = models.DateTimeField(_("exported at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signature export")
        verbose_name_plural = _("signature exports")

    def __str__(self) -> str:
        return f"{self.username} · {self.petition_title} · {self.created_at:%Y-%m-%d %H:%M}"
