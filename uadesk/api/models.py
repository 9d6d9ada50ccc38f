"""API tokens (kept hashed), webhooks and their deliveries; what tokens did is in the staff audit log."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uadesk.delivery.models import Message

TOKEN_PREFIX = "uad_"  # noqa: S105 -- a marker that makes leaked keys easy to search for, no secret


def key_hash(key: str) -> str:
    # A key is 256 random bits: a plain hash is enough, and a stolen table holds no working key.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A key an organisation's tool sends as `Authorization: Bearer ...`; the desk keeps only its hash."""

    class Scope(models.TextChoices):
        READ = "read", _("Read drafts and unpublished petitions")
        WRITE = "write", _("Create and change actions, targets and petitions")
        PERSONAL_DATA = "personal_data", _("Read signers' and writers' names and email addresses")
        TARGET_ADDRESSES = (
            "target_addresses",
            _(
                "Change where letters go: targets' email addresses and fax numbers (with write); the letters "
                "waiting for a changed target are held for review"
            ),
        )

    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("Who uses it and for what, e.g. “CRM sync of the German section”."),
    )
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope_read = models.BooleanField(_("read"), default=True, help_text=Scope.READ.label)
    scope_write = models.BooleanField(_("write"), default=False, help_text=Scope.WRITE.label)
    scope_personal_data = models.BooleanField(
        _("personal data"), default=False, help_text=Scope.PERSONAL_DATA.label
    )
    # Its own scope: with write alone, a stolen token could send every letter, with the supporter's name,
    # town and Reply-To, to an address of the thief's.
    scope_target_addresses = models.BooleanField(
        _("target addresses"), default=False, help_text=Scope.TARGET_ADDRESSES.label
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, help_text=_("Empty: never."))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def new_key(self) -> str:
        """Sets a fresh key and returns it: the only moment anyone sees it."""
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.key_hash, self.prefix = key_hash(key), key[:12]
        return key

    @property
    def scopes(self) -> list[str]:
        flags = {
            self.Scope.READ: self.scope_read,
            self.Scope.WRITE: self.scope_write,
            self.Scope.PERSONAL_DATA: self.scope_personal_data,
            self.Scope.TARGET_ADDRESSES: self.scope_target_addresses,
        }
        return [str(scope) for scope, granted in flags.items() if granted]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def is_active(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def revoke(self) -> None:
        self.revoked_at = self.revoked_at or timezone.now()
        type(self).objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=self.revoked_at)

    @classmethod
    def authenticate(cls, key: str) -> "ApiToken | None":
        """The active token with this key, its use recorded; None for an unknown, expired or revoked key."""
        if not key.startswith(TOKEN_PREFIX) or len(key) > 100:
            return None
        token = cls.objects.filter(key_hash=key_hash(key)).first()
        now = timezone.now()
        if token is None or not token.is_active(now):
            return None
        # At most one write a minute per token: a busy sync must not turn every read into a write.
        if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token


def new_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    """An organisation's address that hears of each new confirmed signature and each new counted appeal."""

    class Event(models.TextChoices):
        APPEAL_COUNTED = "appeal.counted", _("An appeal went out")
        SIGNATURE_CONFIRMED = "signature.confirmed", _("A signature was confirmed")

    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("address"), max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    secret = models.CharField(
        _("signing secret"), max_length=64, default=new_secret, editable=False,
        help_text=_("The receiver checks X-Uadesk-Signature with it (HMAC-SHA256 of timestamp.body)."),
    )  # fmt: skip
    appeals = models.BooleanField(_("new counted appeals"), default=True)
    signatures = models.BooleanField(_("new confirmed signatures"), default=True)
    personal_data = models.BooleanField(
        _("names of writers and signers"), default=False,
        help_text=_("Off: counts, ids and the action only. On: also the person's name and country."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name

    def sign(self, body: bytes, timestamp: int) -> str:
        """The X-Uadesk-Signature header: the receiver recomputes v1 and compares, and refuses old t."""
        digest = hmac.new(self.secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
        return f"t={timestamp},v1={digest.hexdigest()}"


class WebhookDelivery(models.Model):
    """One event for one webhook: made once (the database says so), with its payload; its message in the
    outbox (uadesk.delivery) sends it until it is taken or given up, each attempt on record."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40, choices=Webhook.Event.choices)
    object_id = models.PositiveBigIntegerField(_("appeal or signature"))
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            # A second save of a counted appeal finds the row and stops.
            models.UniqueConstraint(fields=["webhook", "event", "object_id"], name="one_delivery_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.object_id} → {self.webhook}"

    def message(self) -> Message | None:
        return Message.objects.filter(kind=Message.Kind.WEBHOOK, ref=self.pk).first()
