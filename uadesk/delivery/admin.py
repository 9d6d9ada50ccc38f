"""The outbox for staff: every message of every kind, failed and waiting ones first to hand, with its
attempts; staff hold, release, retry or cancel them, each change in the audit log."""

from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uadesk.staff import audit

from .models import Attempt, Message
from .outbox import registered_kinds, sender_for
from .services import messages_cancel, messages_hold, messages_release, messages_retry


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "finished_at", "outcome", "detail", "worker"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class NeedsStaffFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", _("Failed, held or waiting"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(
                status__in=[Message.Status.FAILED, Message.Status.HELD, Message.Status.WAITING]
            )
        return queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "status", "attempts", "last_error"]
    list_filter = [NeedsStaffFilter, "status", "kind"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
    fields = readonly_fields = [
        "kind", "about", "status", "attempts", "last_error", "next_attempt_at", "created_at", "sent_at",
    ]  # fmt: skip
    actions = ["hold", "release", "retry", "cancel"]

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Nothing on the page is edited: staff change a message with the actions of the list.
        extra_context = (extra_context or {}) | {"show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("about"))
    def about(self, message: Message):
        """The row the message is about, linked where the staff desk shows it."""
        model = sender_for(message.kind).about if message.kind in registered_kinds() else ""
        if not model or not message.ref:
            return "—"
        about = apps.get_model(model)
        label = f"{about._meta.verbose_name} #{message.ref}"
        try:
            url = reverse(
                f"admin:{about._meta.app_label}_{about._meta.model_name}_change", args=[message.ref]
            )
        except NoReverseMatch:
            return label  # rows the staff desk does not show one by one
        return format_html('<a href="{}">{}</a>', url, label)

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what went out stays; cancel what should not go

    def apply_change(self, request, queryset, service, code: str, done) -> None:
        """One of staff's changes to the selected messages, in the audit log, and said back to them;
        `done(count)` is the sentence, for one message or for several."""
        count = service(messages=queryset)
        audit.log(code, user=request.user, obj=Message, count=count)
        self.message_user(request, done(count) % {"count": count})

    @admin.action(description=_("Hold the selected messages"), permissions=["change"])
    def hold(self, request, queryset):
        self.apply_change(
            request,
            queryset,
            messages_hold,
            "uadesk.message.held",
            lambda n: ngettext("%(count)d message held.", "%(count)d messages held.", n),
        )

    @admin.action(description=_("Release the selected held messages"), permissions=["change"])
    def release(self, request, queryset):
        self.apply_change(
            request,
            queryset,
            messages_release,
            "uadesk.message.released",
            lambda n: ngettext("%(count)d message released.", "%(count)d messages released.", n),
        )

    @admin.action(description=_("Try the selected failed messages again"), permissions=["change"])
    def retry(self, request, queryset):
        self.apply_change(
            request,
            queryset,
            messages_retry,
            "uadesk.message.retried",
            lambda n: ngettext("%(count)d message queued again.", "%(count)d messages queued again.", n),
        )

    @admin.action(description=_("Cancel the selected messages"), permissions=["change"])
    def cancel(self, request, queryset):
        self.apply_change(
            request,
            queryset,
            messages_cancel,
            "uadesk.message.cancelled",
            lambda n: ngettext("%(count)d message cancelled.", "%(count)d messages cancelled.", n),
        )
