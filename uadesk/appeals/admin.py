"""Staff see every appeal with its state and the log of its delivery attempts; failures come first to hand.
And every target with the letters that bounced from its email, where they correct the address. A
section's staff see the letters written from their section's version of an action, and their replies."""

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uadesk.actions.admin import target_saved
from uadesk.actions.models import Target
from uadesk.staff import audit
from uadesk.staff.sections import SectionScopedAdmin

from .models import Appeal, Reply, TargetBounce
from .services import appeals_hold, appeals_release, appeals_retry


@admin.register(Appeal)
class AppealAdmin(SectionScopedAdmin, admin.ModelAdmin):
    # A letter carries its writer's name and town: a section's staff see those written on its pages.
    section_path = "localisation__section"
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
        "supporter_town", "supporter_country", "signed_as", "sender_blank", "supporter", "status",
        "last_error", "delivery", "created_at", "sent_at",
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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Who wrote, from where, and what: a read of the supporter's data, as on their own page.
        if obj is not None and set(self.supporter_fields) & set(self.get_fields(request, obj)):
            audit.log("uadesk.appeal.viewed", user=request.user, obj=obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

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
class ReplyAdmin(SectionScopedAdmin, admin.ModelAdmin):
    """Answers from targets, as supporters reported them: a sign of what the letters did."""

    section_path = "appeal__localisation__section"

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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The official's answer is addressed to the supporter, by name and often address.
        if obj is not None:
            audit.log("uadesk.reply.viewed", user=request.user, obj=obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """Every target across actions: where staff find email addresses that letters bounce from (this
    app's TargetBounce), and correct them; saved as the actions' own inlines save a target."""

    list_display = ["display_name", "action", "role", "emails", "email_failing_since"]
    list_filter = [("email_failing_since", admin.EmptyFieldListFilter), "role", "country"]
    search_fields = ["name", "emails", "action__title"]
    list_select_related = ["action"]
    # Switched back only by the action, which also lets the bounces so far count no more.
    readonly_fields = ["email_failing_since", "email_bounces"]
    actions = ["email_take_again"]

    @admin.display(description=_("bounces behind it"))
    def email_bounces(self, target: Target):
        """Why the email is failing (or is close to it): the letters that came back, with the receiving
        server's status codes and words."""
        if target.pk is None:
            return "-"
        bounces = list(target.bounces.all()[:20])
        if not bounces:
            return _("No letter to this target came back.")
        summary = _(
            "%(count)d of %(needed)d letters that bounced for good within %(days)d days count towards "
            "marking the email failing."
        ) % {
            "count": TargetBounce.letters_counting(target, timezone.now()),
            "needed": settings.TARGET_BOUNCES_TO_FAIL,
            "days": settings.TARGET_BOUNCE_WINDOW_DAYS,
        }
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(b.received_at).strftime("%Y-%m-%d %H:%M"),
                    b.get_kind_display(),
                    b.status or "-",
                    b.appeal_id or "-",
                    b.diagnostic,
                )
                for b in bounces
            ),
        )
        return format_html(
            "<p>{}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            summary, _("received"), _("kind"), _("status code"), _("appeal"), _("diagnostic"), rows,
        )  # fmt: skip

    @admin.action(description=_("Take email to the selected targets again"), permissions=["change"])
    def email_take_again(self, request, queryset):
        count = Target.email_take_again(queryset, timezone.now())
        audit.log("uadesk.target.email_taken_again", user=request.user, obj=Target, count=count)
        self.message_user(
            request,
            ngettext(
                "Supporters may email %(count)d target again; its bounces so far no longer count.",
                "Supporters may email %(count)d targets again; their bounces so far no longer count.",
                count,
            )
            % {"count": count},
        )

    def save_model(self, request, obj, form, change):
        target_saved(self, request, obj)
