"""The audit log in the staff desk: every change staff made through it, readable, and editable by nobody;
failed sign-ins, cleared only by those who may delete them; second factors, issued by administrators."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .readonly import ReadOnlyAdmin
from .services import ENROLMENT_MAX_AGE, enrolment_issue, needs_enrolment


@admin.register(LogEntry)
class AuditLogAdmin(ReadOnlyAdmin):
    # The log is written by the admin itself.
    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag", "change_message"]
    list_filter = ["action_flag", "content_type", "user"]
    search_fields = ["object_repr", "change_message", "user__username"]
    date_hierarchy = "action_time"

    def has_view_permission(self, request, obj=None):
        return (
            request.user.is_active and request.user.is_staff and request.user.has_perm("admin.view_logentry")
        )


LogEntry._meta.verbose_name = _("audit log entry")
LogEntry._meta.verbose_name_plural = _("audit log")


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
        return super().cleanup_expired_attempts(request, queryset)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    actions = ["issue_enrolment"]

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
