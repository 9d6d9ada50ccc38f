"""A supporter: one person known by their email address, which is kept sealed and found by a keyed hash."""

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import crypto


class Supporter(models.Model):
    # Only what signing and writing need: the address to write back to, and when they last acted
    # (for the retention rule). Names and countries live on each signature and appeal, as given there.
    email_hash = models.CharField(_("email (keyed hash)"), max_length=64, unique=True, editable=False)
    email_sealed = models.BinaryField(_("email (encrypted)"), editable=False)
    language = models.CharField(_("language"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("first seen"), default=timezone.now, editable=False)
    last_active_at = models.DateTimeField(_("last active"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")

    def __str__(self):
        return f"{_('supporter')} #{self.pk}"

    @property
    def email(self) -> str:
        return crypto.unseal(self.email_sealed)

    @classmethod
    def find(cls, email: str) -> "Supporter | None":
        return cls.objects.filter(email_hash=crypto.email_hash(email)).first()

    @classmethod
    def for_email(cls, email: str, *, language: str = "") -> "Supporter":
        """The supporter with this address (in any spelling of it), made now if new; safe under races."""
        key = crypto.email_hash(email)
        supporter = cls.objects.filter(email_hash=key).first()
        if supporter is not None:
            return supporter
        try:
            with transaction.atomic():
                return cls.objects.create(
                    email_hash=key, email_sealed=crypto.seal(email.strip()), language=language
                )
        except IntegrityError:  # another request made them a moment ago
            return cls.objects.get(email_hash=key)

    def touch(self) -> None:
        """They acted today: the retention clock starts again."""
        now = timezone.now()
        type(self).objects.filter(pk=self.pk).update(last_active_at=now)
        self.last_active_at = now
