"""A supporter: one person known by their email address, which is kept sealed and found by a keyed hash."""

import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import crypto


def new_link_key() -> str:
    return secrets.token_urlsafe(16)


class Supporter(models.Model):
    # Only what signing and writing need: the address to write back to, and when they last acted
    # (for the retention rule). Names and countries live on each signature and appeal, as given there.
    email_hash = models.CharField(_("email (keyed hash)"), max_length=64, unique=True, editable=False)
    email_sealed = models.BinaryField(_("email (encrypted)"), editable=False)
    language = models.CharField(_("language"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("first seen"), default=timezone.now, editable=False)
    last_active_at = models.DateTimeField(_("last active"), default=timezone.now, db_index=True)
    # Part of every link to the supporter's data page (see links.py): a new key ends every older link.
    # Sending a link keeps the key (anyone can ask in anyone's name); erasure deletes the row.
    link_key = models.CharField(max_length=32, default=new_link_key, editable=False)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")

    def __str__(self):
        return f"{_('supporter')} #{self.pk}"

    @property
    def email(self) -> str:
        return crypto.unseal(self.email_sealed)

    @property
    def page_language(self) -> str:
        """The language of emails and links for them: their own where the desk speaks it."""
        spoken = {code for code, _ in settings.LANGUAGES}
        return self.language if self.language in spoken else settings.LANGUAGE_CODE

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

    def renew_link_key(self) -> None:
        """Every link sent before stops working; the next email carries a new one. Only for something
        the owner asked for from their own link (never for a request anyone can make in their name)."""
        self.link_key = new_link_key()
        type(self).objects.filter(pk=self.pk).update(link_key=self.link_key)

    def own_data(self) -> dict:
        """What this row holds, in the words of the export."""
        return {
            "email": self.email,
            "language": self.language,
            "first_seen": self.created_at,
            "last_active": self.last_active_at,
        }


class Erasure(models.Model):
    """How many supporters were erased on a day, and why: what the desk did, never to whom.

    `by` is "supporter" (from their own link), "retention", "command" or "staff:<username>".
    """

    day = models.DateField(_("day"))
    by = models.CharField(_("by"), max_length=200)
    count = models.PositiveIntegerField(_("supporters erased"), default=0)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-day", "by"]
        constraints = [models.UniqueConstraint(fields=["day", "by"], name="one_erasure_count_per_day_and_by")]

    def __str__(self):
        return f"{self.day} {self.by}: {self.count}"

    @classmethod
    def record(cls, *, by: str) -> None:
        """Counts one erasure, inside the erasing transaction: an erasure rolled back is not counted."""
        day = timezone.localdate()
        row, _ = cls.objects.get_or_create(day=day, by=by[:200])
        cls.objects.filter(pk=row.pk).update(count=F("count") + 1)


class PrivacyNotice(models.Model):
    """The privacy notice in one language, as staff write it; the page links it from every form and
    footer. Without one in the reader's language, the desk's own language's, else the built-in one."""

    language = models.CharField(_("language"), max_length=20, unique=True, choices=settings.LANGUAGES)
    text = models.TextField(
        _("notice"), help_text=_("Who you are, what you keep, for what, how long, who sees it, how to ask.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["language"]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")

    def __str__(self) -> str:
        return self.get_language_display()

    @classmethod
    def for_language(cls, language: str) -> "PrivacyNotice | None":
        found = {n.language: n for n in cls.objects.filter(language__in=[language, settings.LANGUAGE_CODE])}
        return found.get(language) or found.get(settings.LANGUAGE_CODE)
