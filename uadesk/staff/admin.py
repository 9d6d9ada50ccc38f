"""The audit log in the staff desk: every change staff made through it, readable, and editable by nobody;
failed sign-ins, cleared only by those who may delete them."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .readonly import ReadOnlyAdmin


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
