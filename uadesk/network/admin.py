"""The network on the staff desk: members (their import, export, themes, addresses not to mail) and
mailings (audience, preview, test, send, pause, cancel, print run, report). A section's staff see and act
on their own section's only (uadesk.staff.sections); each look at members is in the audit log."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from uadesk.actions.models import Theme
from uadesk.delivery.models import Message
from uadesk.delivery.services import message_queue
from uadesk.formats.sheets import csv_text
from uadesk.staff import audit
from uadesk.staff.audited import list_filters
from uadesk.staff.readonly import ReadOnlyAdmin
from uadesk.staff.sections import SectionScopedAdmin, staff_section
from uadesk.supporters.admin import exact_address_search

from . import mailings
from .admin_print import print_urls
from .forms import MemberImportForm
from .imports import ImportFileError, import_stash, import_unstash, members_check, members_import
from .members import members_table, suppressions_lift
from .models import Mailing, Member, Suppression
from .sending import PERSONAL, mailing_letter, personal


@admin.register(Member)
class MemberAdmin(SectionScopedAdmin, ReadOnlyAdmin):
    # No address in the list or on the page; members change their own choices from their own link.
    list_display = ["__str__", "status", "channel", "languages", "cases", "joined_at"]
    list_filter = ["status", "channel", "source"]
    date_hierarchy = "joined_at"
    fields = [
        "section", "status", "source", "languages", "channel", "most_per_30_days", "countries", "themes",
        "paused_until", "joined_at", "confirmed_at", "left_at", "consent_version", "consented_at",
        "consent_origin", "consent_text",
    ]  # fmt: skip
    readonly_fields = fields
    search_fields = ["supporter__email_hash"]  # only turns the search box on; see get_search_results
    search_help_text = gettext_lazy("An exact email address (in any spelling of it), or a member number.")
    change_list_template = "network/admin/member_change_list.html"

    @admin.display(description=gettext_lazy("cases in 30 days"), ordering="most_per_30_days")
    def cases(self, member: Member) -> str:
        return str(member.most_per_30_days) if member.most_per_30_days else _("every one")

    def get_search_results(self, request, queryset, search_term):
        return exact_address_search(
            self, request, queryset, search_term, field="supporter__email_hash", obj=Member
        )

    # Who saw which members: a page of the list (with its filters, how many), a member's page, an export.
    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "GET" and changelist is not None:
            audit.log(
                "uadesk.member.listed", user=request.user, obj=Member, shown=len(changelist.result_list),
                found=changelist.result_count, filters=list_filters(changelist),
                searched=bool(changelist.query),
            )  # fmt: skip
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            audit.log("uadesk.member.viewed", user=request.user, obj=obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def export_view(self, request):
        """The members the list shows with its filters and search, on every page, as CSV: their choices
        and consent, no address. Written to the audit log: who, how many, with which filters."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:  # as the list itself answers a filter it does not have
            return redirect(reverse("admin:network_member_changelist") + "?e=1")
        rows = members_table(changelist.get_queryset(request))
        audit.log(
            "uadesk.member.exported", user=request.user, obj=Member, count=len(rows) - 1,
            filters=list_filters(changelist), searched=bool(changelist.query),
        )  # fmt: skip
        response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="members.csv"'
        response["Cache-Control"] = "no-store"
        return response

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="network_member_import"),
            path("export.csv", self.admin_site.admin_view(self.export_view), name="network_member_export"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Step 1, upload: the report of every bad row, nothing imported. Step 2, confirm: the good rows.
        Into the staff member's own section's network: they choose no other."""
        if not request.user.has_perm("network.add_member"):
            raise PermissionDenied
        section = staff_section(request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": Member._meta,
            "title": _("Import members"),
            "section": section,
        }
        if request.method == "POST" and "key" in request.POST:
            stashed = import_unstash(key=request.POST["key"], user=request.user)
            if stashed is None:
                error = _("The checked file is no longer here: please upload it again.")
                return TemplateResponse(
                    request,
                    "network/admin/import.html",
                    context | {"form": MemberImportForm(), "error": error},
                )
            text, origin = stashed
            try:
                checked = members_check(text.encode(), section=section)
            except ImportFileError as error:  # the themes changed since, say: the file must be checked again
                return TemplateResponse(
                    request,
                    "network/admin/import.html",
                    context | {"form": MemberImportForm(), "error": str(error)},
                )
            done = members_import(checked=checked, origin=origin, user=request.user, section=section)
            self.message_user(
                request,
                _(
                    "%(created)d members added and %(updated)d updated: %(active)d members now, %(pending)d "
                    "waiting for their confirmation; %(skipped)d not imported."
                )
                % (vars(done) | {"skipped": done.skipped + len(checked.bad)})
                + " "
                + ngettext(
                    "%(welcomed)d welcome email queued.", "%(welcomed)d welcome emails queued.", done.welcomed
                )
                % {"welcomed": done.welcomed},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:network_member_changelist"))
        form = MemberImportForm()
        if request.method == "POST":
            files = request.FILES  # reading the upload first sets upload_too_large, if it was
            form = MemberImportForm(
                request.POST, files, too_large=getattr(request, "upload_too_large", None), section=section
            )
            if form.is_valid():
                checked = form.cleaned_data["checked"]
                key = import_stash(
                    text=checked.text, origin=form.cleaned_data["consent_origin"], user=request.user
                )
                report = {"checked": checked, "key": key, "origin": form.cleaned_data["consent_origin"]}
                return TemplateResponse(request, "network/admin/import_report.html", context | report)
        return TemplateResponse(request, "network/admin/import.html", context | {"form": form})


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    """Addresses never to mail, by their keyed hash: no one may add, change or remove one here. Staff
    who may (network.lift_suppression) mail a bounced address again, found by its exact address."""

    list_display = ["reason", "created_at"]
    list_filter = ["reason"]
    date_hierarchy = "created_at"
    fields = ["reason", "created_at"]
    search_fields = ["email_hash"]
    search_help_text = gettext_lazy("An exact email address (in any spelling of it).")
    change_list_template = "network/admin/suppression_change_list.html"

    def get_queryset(self, request):
        # A section's staff: who left their network, and what stops mail to their own members' addresses.
        queryset = super().get_queryset(request)
        section = staff_section(request.user)
        if section is None:
            return queryset
        theirs = Member.objects.filter(section=section, supporter__email_hash=OuterRef("email_hash"))
        return queryset.filter(
            Q(reason=Suppression.Reason.UNSUBSCRIBED, section=section)
            | (~Q(reason=Suppression.Reason.UNSUBSCRIBED) & Exists(theirs))
        )

    def get_search_results(self, request, queryset, search_term):
        return exact_address_search(self, request, queryset, search_term, field="email_hash", obj=Suppression)

    def changelist_view(self, request, extra_context=None):
        rows = self.get_queryset(request).order_by().values("reason").annotate(n=Count("pk"))
        counts = {row["reason"]: row["n"] for row in rows}
        by_reason = [(label, counts.get(value, 0)) for value, label in Suppression.Reason.choices]
        return super().changelist_view(request, {"by_reason": by_reason, **(extra_context or {})})

    def has_lift_permission(self, request) -> bool:
        return request.user.has_perm("network.lift_suppression")

    @admin.action(description=gettext_lazy("Mail the selected bounced addresses again"), permissions=["lift"])
    def lift(self, request, queryset):
        lifted = suppressions_lift(queryset)
        count, kept = sum(lifted.values()), queryset.count()
        audit.log("uadesk.suppression.lifted", user=request.user, obj=Suppression, count=count, **lifted)
        said = ngettext(
            "%(count)d address will be mailed again.", "%(count)d addresses will be mailed again.", count
        )
        self.message_user(request, said % {"count": count})
        if kept:
            said = ngettext(
                "%(count)d kept: a person who left comes back only by joining again, and an address marked "
                "as spam is never mailed again.",
                "%(count)d kept: people who left come back only by joining again, and addresses marked "
                "as spam are never mailed again.",
                kept,
            )
            self.message_user(request, said % {"count": kept}, messages.WARNING)

    actions = ["lift"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """The themes actions carry and members choose from; their codes are what imports name."""

    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class MailingForm(forms.ModelForm):
    class Meta:
        model = Mailing
        fields = ["languages", "countries", "themes", "channel", "send_at"]
        widgets = {"themes": forms.CheckboxSelectMultiple}
        help_texts = {
            "languages": gettext_lazy(
                "Members who read one of these, as codes separated by commas (fr, es); empty: all."
            ),
            "countries": gettext_lazy(
                "Members who chose one of these countries, as ISO codes (CN, IR); empty: all."
            ),
            "themes": gettext_lazy("Members who chose one of these themes; none ticked: all."),
            "send_at": gettext_lazy(
                "Empty: “Send now” sends at once. Save first: the buttons above act on the mailing as saved."
            ),
        }


@admin.register(Mailing)
class MailingAdmin(SectionScopedAdmin, admin.ModelAdmin):
    form = MailingForm
    list_display = ["action", "kind", "status", "send_at", "started_at", "finished_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["action"]
    search_fields = ["action__title", "action__ua_number"]
    fields = [
        "action", "section", "kind", "outcome", "status", "languages", "countries", "themes", "channel",
        "send_at",
    ]  # fmt: skip
    readonly_fields = ["action", "section", "kind", "outcome", "status"]
    change_form_template = "network/admin/mailing_change_form.html"

    def has_add_permission(self, request):
        return False  # publishing drafts them

    def has_delete_permission(self, request, obj=None):
        # A draft nobody wants goes; a mailing that went is the record of who got the case.
        return (obj is None or obj.status == Mailing.Status.DRAFT) and super().has_delete_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        # The audience is chosen before sending; afterwards the page is the mailing's report.
        editable = obj is None or obj.status in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED)
        return editable and super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        mailing = self.get_object(request, object_id)
        extra = {}
        if mailing is not None:
            extra = {
                "audience_size": mailings.audience(mailing).count(),
                "report": mailings.mailing_report(mailing),
                "languages": mailings.preview_languages(mailing),
                "can_send": request.user.has_perm("network.change_mailing"),
                "plan": mailings.plan_explained(mailing) if mailing.kind == Mailing.Kind.NEW else [],
                "reasons": mailings.recipient_reasons(mailing),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/<str:language>/", view(self.preview_view), name="network_mailing_preview"),
            path("<int:pk>/report.csv", view(self.report_view), name="network_mailing_report"),
            path("<int:pk>/do/<slug:verb>/", view(self.do_view), name="network_mailing_do"),
            *(path(str(p.pattern), view(p.callback), name=p.name) for p in print_urls),
        ] + super().get_urls()

    def preview_view(self, request, pk, language):
        if not request.user.has_perm("network.view_mailing"):
            raise PermissionDenied
        mailing = get_object_or_404(self.get_queryset(request).select_related("action"), pk=pk)
        letter = personal(mailing_letter(mailing, language), dict.fromkeys(PERSONAL, "#"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview"), "mailing": mailing, "letter": letter, "language": language,
            "opts": self.opts,
        }  # fmt: skip
        return render(request, "network/admin/mailing_preview.html", context)

    def report_view(self, request, pk):
        if not request.user.has_perm("network.view_mailing"):
            raise PermissionDenied
        mailing = get_object_or_404(self.get_queryset(request), pk=pk)
        rows = [["measure", "channel", "count"]]
        for measure, value in mailings.mailing_report(mailing).items():
            for channel, count in value.items() if isinstance(value, dict) else [("", value)]:
                rows.append([measure, channel, count])
        response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="mailing-{mailing.pk}.csv"'
        return response

    def do_view(self, request, pk, verb):
        return require_POST(lambda request: _do(self, request, pk, verb))(request)


def _do(model_admin, request, pk, verb):
    """The buttons of a mailing's page; each is in the audit log (mailings.py writes it)."""
    if not request.user.has_perm("network.change_mailing"):
        raise PermissionDenied
    mailing = get_object_or_404(model_admin.get_queryset(request), pk=pk)
    back = redirect(reverse("admin:network_mailing_change", args=[pk]))
    if verb == "test":
        email = request.user.email
        if not email:
            model_admin.message_user(request, _("Your staff account has no email address."), messages.ERROR)
            return back
        for language in mailings.preview_languages(mailing):
            message_queue(
                Message.Kind.MAILING,
                0,
                params={"test": mailing.pk, "language": language, "user": request.user.pk},
            )
        model_admin.message_user(
            request, _("A test in each language is on its way to %(email)s.") % {"email": email}
        )
        return back
    try:
        if verb == "send":
            mailings.mailing_send(mailing, when=mailing.send_at, user=request.user)
        elif verb == "pause":
            mailings.mailing_pause(mailing, user=request.user)
        elif verb == "resume":
            mailings.mailing_resume(mailing, user=request.user)
        elif verb == "cancel":
            mailings.mailing_cancel(mailing, user=request.user)
        else:
            raise PermissionDenied
    except mailings.NotSendable as error:
        model_admin.message_user(request, str(error), messages.ERROR)
        return back
    mailing.refresh_from_db()
    model_admin.message_user(request, format_html("{}: {}", mailing, mailing.get_status_display()))
    return back
