"""The audit log in the staff desk: what staff, tokens and the command line did, readable, and editable by
nobody; failed sign-ins, cleared only by those who may delete them; second factors, issued by
administrators, as is the section each account works for."""

import json

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import AuditEntry, StaffSection
from .readonly import ReadOnlyAdmin
from .sections import is_office
from .services import ENROLMENT_MAX_AGE, enrolment_issue, needs_enrolment


class CodeFilter(admin.SimpleListFilter):
    """By the start of the code: uadesk.supporter takes uadesk.supporter.viewed, .exported, .erased."""

    title = _("kind")
    parameter_name = "code"

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by().values_list("code", flat=True).distinct()
        prefixes = sorted({".".join(code.split(".")[:2]) for code in codes})
        return [(prefix, prefix.removeprefix("uadesk.")) for prefix in prefixes]

    def queryset(self, request, queryset):
        prefix = (self.value() or "").rstrip(".")
        if not prefix:
            return queryset
        return queryset.filter(Q(code=prefix) | Q(code__startswith=prefix + "."))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    # Written by audit.log() only: by the admin's own pages, the API, the command line and the tasks.
    list_display = ["at", "code", "actor", "via", "record", "detail_text"]
    list_filter = [CodeFilter, "via", "actor", "at"]
    search_fields = ["code", "actor", "=object_id"]
    search_help_text = _("A code, part of it, who did it, or a record's number.")
    date_hierarchy = "at"
    fields = ["at", "code", "actor", "user", "via", "object_type", "object_id", "detail_text"]
    readonly_fields = fields

    @admin.display(description=_("record"), ordering="object_type")
    def record(self, entry):
        if not entry.object_type:
            return ""
        text = f"{entry.object_type} #{entry.object_id}" if entry.object_id else entry.object_type
        app_label, _dot, model_name = entry.object_type.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model_name}_change", args=[entry.object_id])
        except NoReverseMatch:  # a model without a page, or many rows at once
            return text
        return format_html('<a href="{}">{}</a>', url, text)

    @admin.display(description=_("detail"))
    def detail_text(self, entry):
        return json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else ""


# django-axes' own admin offers its clean-up to anyone who may view failed sign-ins; it deletes them.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class GuardedAccessAttemptAdmin(AccessAttemptAdmin):
    @admin.action(
        description=AccessAttemptAdmin.cleanup_expired_attempts.short_description, permissions=["delete"]
    )
    def cleanup_expired_attempts(self, request, queryset):
        # axes counts the cool-off back from the time its middleware stamps on a sign-in; this is none.
        request.axes_attempt_time = timezone.now()
        before = AccessAttempt.objects.count()
        result = super().cleanup_expired_attempts(request, queryset)
        removed = before - AccessAttempt.objects.count()
        audit.log("uadesk.accessattempt.cleaned_up", user=request.user, obj=AccessAttempt, count=removed)
        return result


User = get_user_model()
admin.site.unregister(User)


class StaffSectionInline(admin.StackedInline):
    model = StaffSection
    can_delete = False
    fields = ["section"]
    verbose_name_plural = _("Section")

    # Only the office's staff place accounts: a section's administrator who could would see every section.
    def has_add_permission(self, request, obj=None):
        return is_office(request.user) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_office(request.user) and super().has_change_permission(request, obj)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    actions = ["issue_enrolment"]
    inlines = [StaffSectionInline]
    list_display = [*UserAdmin.list_display, "section"]
    list_select_related = ["staff_section__section"]

    @admin.display(description=_("section"), ordering="staff_section__section__name")
    def section(self, user):
        row = getattr(user, "staff_section", None)
        return row.section if row is not None and row.section_id else _("the office")

    def has_enrol_permission(self, request):
        return request.user.has_perm("otp_totp.add_totpdevice")

    @admin.action(description=_("Issue a set-up link for a second factor"), permissions=["enrol"])
    def issue_enrolment(self, request, queryset):
        """Staff cannot enrol an authenticator on their own: a password thief could. An administrator
        issues each one a link, and hands it over by another channel than the password."""
        links = []
        for user in queryset.filter(is_active=True, is_staff=True):
            if needs_enrolment(user):
                links.append((user, request.build_absolute_uri(enrolment_issue(user))))
                self.log_change(request, user, "Issued a set-up link for a second factor")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set-up links for a second factor"),
            "opts": self.opts,
            "links": links,
            "days": ENROLMENT_MAX_AGE.days,
        }
        # On this page only, never in a message: messages may travel in a cookie.
        response = TemplateResponse(request, "staff/enrolment_links.html", context)
        response["Cache-Control"] = "no-store"
        return response
