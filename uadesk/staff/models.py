"""The staff app's tables, the audit log and each account's section; roles are Django groups and second
factors django-otp's."""

import re

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# "uadesk.<noun>.<verb>", lowercase, dotted: uadesk.appeal.requeued, uadesk.api.read.
CODE_PATTERN = r"uadesk(\.[a-z][a-z0-9_]*){2,}"


class AuditEntry(models.Model):
    """One thing staff, an API token, the command line or the desk itself did: what (a namespaced code),
    when, who, through which door, about which record, and some counts. Never a supporter's name or
    address: `detail` holds counts, field names, paths and notes written by the desk's code."""

    class Via(models.TextChoices):
        DESK = "desk", _("staff desk")
        API = "api", _("API")
        COMMAND = "command", _("command line")
        SYSTEM = "system", _("system")

    code = models.CharField(
        _("code"), max_length=100, db_index=True, validators=[RegexValidator(rf"\A{CODE_PATTERN}\Z")]
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    # The account, while it exists; `actor` keeps its name (or the token's, or "command line") after.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    actor = models.CharField(_("who"), max_length=200)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    object_type = models.CharField(_("record type"), max_length=100, blank=True)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        constraints = [
            # The full pattern is checked by audit.log(); the database refuses at least any other namespace.
            models.CheckConstraint(
                condition=Q(code__startswith="uadesk.") & Q(code=Lower("code")), name="audit_code_namespaced"
            ),
            models.CheckConstraint(
                condition=Q(via__in=["desk", "api", "command", "system"]), name="audit_via_known"
            ),
        ]

    def __str__(self) -> str:
        about = f" {self.object_type} #{self.object_id}" if self.object_id else ""
        return f"{self.at:%Y-%m-%d %H:%M} {self.code} {self.actor}{about}"

    @staticmethod
    def is_code(code: str) -> bool:
        return isinstance(code, str) and re.fullmatch(CODE_PATTERN, code, re.ASCII) is not None


class StaffSection(models.Model):
    """The section a staff account works for: on a desk that hosts several sections, its staff see, mail
    and export only their section's members, mailings and supporters. An account without this row, or
    with no section in it, works for the office and sees every section's (so a desk of one is unchanged)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE,
        related_name="staff_section",
    )  # fmt: skip
    # PROTECT: deleting a section must not turn its staff into office staff, who see every section's people.
    section = models.ForeignKey(
        "actions.Section", verbose_name=_("section"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="staff_accounts", help_text=_("Empty: the office, which sees every section's."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("section of the account")
        verbose_name_plural = _("section of the account")

    def __str__(self) -> str:
        return str(self.section) if self.section_id else str(_("the office"))
