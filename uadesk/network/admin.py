"""Staff: the members without their addresses (found by exact address only), the CSV import, the themes
members choose from, and the addresses never to mail, counted by reason."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from uadesk.actions.models import Theme
from uadesk.numbers import parse_int
from uadesk.staff import audit
from uadesk.staff.readonly import ReadOnlyAdmin
from uadesk.supporters import crypto

from .forms import MemberImportForm
from .imports import ImportFileError, import_stash, import_unstash, members_check, members_import
from .models import Member, Suppression


def exact_address_search(admin_obj, request, queryset, term: str, *, field: str, obj):
    """An exact address (in any spelling) or a number: the one row or none, never a partial match over
    a list of addresses; each look-up is written to the audit log, without the address."""
    term = term.strip()
    if not term:
        return queryset, False
    if (pk := parse_int(term.lstrip("#"))) is not None:
        found, by = queryset.filter(pk=pk), "number"
    else:
        try:
            validate_email(term)
        except ValidationError:
            return queryset.none(), False
        found, by = queryset.filter(**{field: crypto.email_hash(term)}), "email"
    if request.method == "GET":
        audit.log(
            f"uadesk.{obj._meta.model_name}.searched", user=request.user, obj=obj, by=by, found=found.count()
        )
    return found, False


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    # No address in the list or on the page; members change their own choices from their own link.
    list_display = ["__str__", "status", "channel", "languages", "cases", "joined_at"]
    list_filter = ["status", "channel", "source"]
    date_hierarchy = "joined_at"
    fields = [
        "status", "source", "languages", "channel", "most_per_30_days", "countries", "themes", "paused_until",
        "joined_at", "confirmed_at", "left_at", "consent_version", "consented_at", "consent_origin",
        "consent_text",
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

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="network_member_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Step 1, upload: the report of every bad row, nothing imported. Step 2, confirm: the good rows."""
        if not request.user.has_perm("network.add_member"):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": Member._meta,
            "title": _("Import members"),
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
                checked = members_check(text.encode())
            except ImportFileError as error:  # the themes changed since, say: the file must be checked again
                return TemplateResponse(
                    request,
                    "network/admin/import.html",
                    context | {"form": MemberImportForm(), "error": str(error)},
                )
            done = members_import(checked=checked, origin=origin, user=request.user)
            self.message_user(
                request,
                _(
                    "%(created)d members added and %(updated)d updated: %(active)d members now, %(pending)d "
                    "waiting for their confirmation (%(welcomed)d welcome emails); %(skipped)d not imported."
                )
                % (vars(done) | {"skipped": done.skipped + len(checked.bad)}),
                messages.SUCCESS,
            )
            return redirect(reverse("admin:network_member_changelist"))
        form = MemberImportForm()
        if request.method == "POST":
            files = request.FILES  # reading the upload first sets upload_too_large, if it was
            form = MemberImportForm(request.POST, files, too_large=getattr(request, "upload_too_large", None))
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
    """Addresses never to mail, by their keyed hash: no one may add, change or remove one here."""

    list_display = ["reason", "created_at"]
    list_filter = ["reason"]
    date_hierarchy = "created_at"
    fields = ["reason", "created_at"]
    search_fields = ["email_hash"]
    search_help_text = gettext_lazy("An exact email address (in any spelling of it).")
    change_list_template = "network/admin/suppression_change_list.html"

    def get_search_results(self, request, queryset, search_term):
        return exact_address_search(self, request, queryset, search_term, field="email_hash", obj=Suppression)

    def changelist_view(self, request, extra_context=None):
        counts = {
            row["reason"]: row["n"] for row in Suppression.objects.values("reason").annotate(n=Count("pk"))
        }
        by_reason = [(label, counts.get(value, 0)) for value, label in Suppression.Reason.choices]
        return super().changelist_view(request, {"by_reason": by_reason, **(extra_context or {})})


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    """The themes actions carry and members choose from; their codes are what imports name."""

    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
