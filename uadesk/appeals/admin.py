"""Staff see every appeal with its state and the log of its delivery attempts; failures come first to hand."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from uadesk.staff import audit

from .models import Appeal, DeliveryAttempt, Reply
from .services import appeals_hold, appeals_release
from .tasks import deliveries_kick


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "finished_at", "outcome", "detail", "worker"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "action",
        "target",
        "channel",
        "language",
        "status",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "channel", "language", "action"]
    search_fields = ["target__name", "action__title"]
    date_hierarchy = "created_at"
    inlines = [DeliveryAttemptInline]
    readonly_fields = [
        "submission", "action", "target", "channel", "language", "subject", "body", "supporter_name",
        "supporter_town", "supporter_country", "supporter", "status", "attempts", "last_error",
        "next_attempt_at", "claimed_until", "created_at", "sent_at",
    ]  # fmt: skip
    actions = ["release", "hold", "requeue"]
    # Who wrote, from where, and what: shown to editors only on the held letters they review.
    supporter_fields = ["body", "supporter_name", "supporter_town", "supporter_country", "supporter"]

    def has_add_permission(self, request):
        return False

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
        # The attempt count goes on: the next attempt is numbered after those on record (one row per
        # number), so the history stays whole. Past the retry limit, each retry is one more attempt.
        count = queryset.filter(status=Appeal.Status.FAILED).update(
            status=Appeal.Status.QUEUED, next_attempt_at=None
        )
        audit.log("uadesk.appeal.requeued", user=request.user, obj=Appeal, count=count)
        deliveries_kick()
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
