"""Staff see every appeal with its state and the log of its delivery attempts; failures come first to hand."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uadesk.staff import audit

from .models import Appeal, Reply
from .services import appeals_hold, appeals_release, appeals_retry


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "action",
        "target",
        "channel",
        "language",
        "status",
        "last_error",
    ]
    list_filter = ["status", "channel", "language", "action"]
    search_fields = ["target__name", "action__title"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "submission", "action", "target", "channel", "language", "subject", "body", "supporter_name",
        "supporter_town", "supporter_country", "supporter", "status", "last_error", "delivery",
        "created_at", "sent_at",
    ]  # fmt: skip
    actions = ["release", "hold", "requeue"]
    # Who wrote, from where, and what: shown to editors only on the held letters they review.
    supporter_fields = ["body", "supporter_name", "supporter_town", "supporter_country", "supporter"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("delivery"))
    def delivery(self, appeal):
        """Its message in the outbox: state, tries and the last error, with a link to its attempts."""
        message = appeal.delivery()
        if message is None:
            return "—"
        url = reverse("admin:delivery_message_change", args=[message.pk])
        return format_html(
            '<a href="{}">{}</a> · {} · {}', url, message.get_status_display(),
            ngettext("%(n)d attempt", "%(n)d attempts", message.attempts) % {"n": message.attempts},
            message.last_error or "",
        )  # fmt: skip

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # Those who may see the supporter list see every letter in full; an editor's stolen
        # password must not open it, so others see a supporter only where they review the letter.
        if (
            obj is None
            or obj.status == Appeal.Status.HELD
            or request.user.has_perm("supporters.view_supporter")
        ):
            return fields
        return [field for field in fields if field not in self.supporter_fields]

    @admin.action(description=_("Approve the selected held letters: send them"), permissions=["change"])
    def release(self, request, queryset):
        count = appeals_release(appeals=queryset)
        audit.log("uadesk.appeal.released", user=request.user, obj=Appeal, count=count)
        self.message_user(request, _("%(count)d letters approved and queued.") % {"count": count})

    @admin.action(description=_("Hold the selected queued letters for review"), permissions=["change"])
    def hold(self, request, queryset):
        count = appeals_hold(appeals=queryset)
        audit.log("uadesk.appeal.held", user=request.user, obj=Appeal, count=count)
        self.message_user(request, _("%(count)d letters held.") % {"count": count})

    @admin.action(description=_("Try the selected failed appeals again"), permissions=["change"])
    def requeue(self, request, queryset):
        count = appeals_retry(appeals=queryset)
        audit.log("uadesk.appeal.requeued", user=request.user, obj=Appeal, count=count)
        self.message_user(request, _("%(count)d appeals queued again.") % {"count": count})


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    """Answers from targets, as supporters reported them: a sign of what the letters did."""

    list_display = ["target", "action", "received_on", "created_at"]
    list_filter = ["appeal__action", "appeal__target__name", "received_on"]
    search_fields = ["text", "appeal__target__name"]
    readonly_fields = ["appeal", "created_at"]
    fields = ["appeal", "received_on", "text", "created_at"]

    @admin.display(description=_("target"), ordering="appeal__target__name")
    def target(self, reply):
        return reply.appeal.target

    @admin.display(description=_("action"), ordering="appeal__action__title")
    def action(self, reply):
        return reply.appeal.action

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("appeal__target", "appeal__action")

    def has_add_permission(self, request):
        return False  # replies come from supporters
