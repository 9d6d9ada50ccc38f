"""Desks linked into a network: an office desk's grants to sections, a section desk's subscriptions to
an office, what came through the feed, and the counts sections report back."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import Action, Outcome, Section
from uadesk.api.models import key_hash
from uadesk.supporters import crypto

TOKEN_PREFIX = "uadf_"  # noqa: S105 -- a marker that makes leaked section tokens easy to search for


# The office's side -------------------------------------------------------------------------------------


class SectionAccess(models.Model):
    """A section desk's access to this desk: its token (kept hashed) to read the feed and report, and
    the section desk's public key, which every report it sends must be signed with."""

    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="accesses"
    )
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    desk_key = models.CharField(
        _("the section desk's key"), max_length=60,
        help_text=_("As the section's desk shows it under Federation, “ed25519:…”."),
    )  # fmt: skip
    # Its scopes: the token opens these two doors of this desk, for its section only, and no other
    # (not the API, not the staff desk).
    scope_feed = models.BooleanField(_("reads the feed"), default=True)
    scope_report = models.BooleanField(_("sends reports"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["section__name", "-created_at"]
        verbose_name = _("section desk's access")
        verbose_name_plural = _("section desks' access")

    def __str__(self) -> str:
        return f"{self.section} ({self.prefix}…)"

    def new_token(self) -> str:
        """Sets a fresh token and returns it: the only moment anyone sees it."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.key_hash, self.prefix = key_hash(token), token[:12]
        return token

    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        self.revoked_at = self.revoked_at or timezone.now()
        type(self).objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=self.revoked_at)

    @classmethod
    def authenticate(cls, token: str) -> "SectionAccess | None":
        """The active access with this token, its use recorded at most once a minute; else None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        access = cls.objects.select_related("section").filter(key_hash=key_hash(token)).first()
        if access is None or not access.is_active():
            return None
        now = timezone.now()
        if access.last_used_at is None or now - access.last_used_at > datetime.timedelta(minutes=1):
            cls.objects.filter(pk=access.pk).update(last_used_at=now)
            access.last_used_at = now
        return access


class SeenNonce(models.Model):
    """A signed request's nonce, kept while its signature is young enough to be accepted: the same
    request sent again is refused."""

    access = models.ForeignKey(SectionAccess, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["access", "nonce"], name="nonce_once_per_access")]

    def __str__(self) -> str:
        return self.nonce


class SectionReport(models.Model):
    """What one section counted on one action, as it last reported: a report sent again replaces it."""

    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.CASCADE,
                                related_name="reports")  # fmt: skip
    action = models.ForeignKey(Action, verbose_name=_("action"), on_delete=models.CASCADE,
                               related_name="section_reports")  # fmt: skip
    # When the section's desk counted: an older report than the one kept changes nothing.
    counted_at = models.DateTimeField(_("counted at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    final = models.BooleanField(_("the action closed there"), default=False)
    members_mailed = models.PositiveIntegerField(_("members mailed"), default=0)
    signatures = models.PositiveIntegerField(_("signatures"), default=0)

    class Meta:
        ordering = ["action", "section__name"]
        verbose_name = _("section's report")
        verbose_name_plural = _("sections' reports")
        constraints = [models.UniqueConstraint(fields=["section", "action"], name="one_report_per_section")]

    def __str__(self) -> str:
        return f"{self.section}: {self.action}"

    @property
    def appeals(self) -> int:
        return sum(count.count for count in self.counts.all())


class SectionCount(models.Model):
    """One line of a section's report: appeals by channel to one official, made on its desk or off it
    (a member's "I have acted")."""

    report = models.ForeignKey(SectionReport, on_delete=models.CASCADE, related_name="counts")
    channel = models.CharField(_("channel"), max_length=20)
    on_desk = models.BooleanField(_("made on the section's desk"))
    # This desk's official when the section wrote to one the feed gave it; else (the section's own
    # official, an embassy) the name it gave.
    target = models.ForeignKey("actions.Target", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")  # fmt: skip
    official = models.CharField(_("official"), max_length=300, blank=True)
    count = models.PositiveIntegerField(_("appeals"))

    class Meta:
        ordering = ["channel", "official"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.count}"


# The section's side ------------------------------------------------------------------------------------


class Subscription(models.Model):
    """This desk reading an office desk's feed, as one of its sections, and reporting back to it."""

    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. “International Secretariat”."))
    feed_url = models.URLField(_("the feed's address"), max_length=500)
    section = models.ForeignKey(
        Section, verbose_name=_("this desk's section"), on_delete=models.PROTECT,
        related_name="subscriptions",
        help_text=_("The section this desk localises and mails the office's actions as."),
    )  # fmt: skip
    # Sealed with the desk's key: the desk must send it, so it cannot keep only a hash of it.
    token_sealed = models.BinaryField(editable=False)
    office_key = models.CharField(
        _("the office desk's key"), max_length=60,
        help_text=_("As the office's desk shows it with the token, “ed25519:…”: every page of the feed "
                    "must be signed with it."),
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Where the next pull starts: the feed's own cursor, opaque here.
    cursor = models.CharField(max_length=200, blank=True, editable=False)
    pulled_at = models.DateTimeField(_("last pulled"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=300, blank=True, editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("subscription to an office desk")
        verbose_name_plural = _("subscriptions to office desks")

    def __str__(self) -> str:
        return self.name

    def set_token(self, token: str) -> None:
        self.token_sealed = crypto.seal(token.strip())

    @property
    def token(self) -> str:
        return crypto.unseal(bytes(self.token_sealed))

    @property
    def office_origin(self) -> str:
        """The office desk's address: the feed's, without its path."""
        scheme, _, rest = self.feed_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"


class FeedEntry(models.Model):
    """An office's action on this desk: the action made from it (a draft until the section publishes
    its localisation), and the office's document as it came, kept read-only."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="entries")
    remote_id = models.PositiveBigIntegerField()
    action = models.OneToOneField(Action, on_delete=models.CASCADE, related_name="feed_entry")
    document = models.JSONField(editable=False)
    remote_updated_at = models.DateTimeField(editable=False)
    pulled_at = models.DateTimeField(default=timezone.now, editable=False)
    # This desk's target id -> the office's, for the officials the office gave (reports name them so).
    target_ids = models.JSONField(default=dict, editable=False)
    # What the office changed since the section saw it (a later deadline, a corrected address), for staff.
    changed_fields = models.JSONField(default=list, blank=True, editable=False)
    reported_at = models.DateTimeField(null=True, blank=True, editable=False)
    reported_digest = models.CharField(max_length=64, blank=True, editable=False)
    final_reported_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("action from an office desk")
        verbose_name_plural = _("actions from office desks")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "remote_id"], name="one_entry_per_remote_action")
        ]

    def __str__(self) -> str:
        return f"{self.subscription}: {self.action}"


class FeedOutcome(models.Model):
    """An office's outcome, taken once onto this desk's action."""

    entry = models.ForeignKey(FeedEntry, on_delete=models.CASCADE, related_name="outcomes")
    remote_id = models.PositiveBigIntegerField()
    outcome = models.OneToOneField(Outcome, on_delete=models.CASCADE, related_name="feed_outcome")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "remote_id"], name="one_outcome_per_remote_outcome")
        ]

    def __str__(self) -> str:
        return f"{self.entry}: {self.outcome}"
