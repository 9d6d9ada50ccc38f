"""Staff: petitions with their counts and the CSV export; signatures without emails; the export log.
Petitions are the office's: a signature names no section, so a section's staff neither see nor export
signers."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from uadesk.staff import audit
from uadesk.staff.readonly import ReadOnlyAdmin
from uadesk.staff.sections import is_office

from .models import Petition, Signature, SignatureExport
from .services import signatures_export


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "action",
        "campaign",
        "goal",
        "confirmed",
        "unconfirmed",
        "accepting",
        "export_links",
    ]
    list_filter = ["accepting"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["action", "campaign"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("action", "campaign")
            .annotate(
                confirmed_count=Count("signatures", filter=Q(signatures__confirmed_at__isnull=False)),
                unconfirmed_count=Count("signatures", filter=Q(signatures__confirmed_at__isnull=True)),
            )
        )

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed(self, petition):
        return petition.confirmed_count

    @admin.display(description=_("awaiting confirmation"), ordering="unconfirmed_count")
    def unconfirmed(self, petition):
        return petition.unconfirmed_count

    @admin.display(description=_("export"))
    def export_links(self, petition):
        url = reverse("admin:petitions_petition_export", args=[petition.pk])
        return format_html('<a href="{}">{}</a>', url, _("CSV"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/export/",
                self.admin_site.admin_view(self.export_view),
                name="petitions_petition_export",
            )
        ] + super().get_urls()

    def export_view(self, request, pk):
        """Confirmed signatures as CSV; ?emails=1 adds addresses, for those allowed. Each export is logged."""
        if not (request.user.has_perm("petitions.view_signature") and is_office(request.user)):
            raise PermissionDenied
        petition = get_object_or_404(Petition, pk=pk)
        with_emails = request.GET.get("emails") == "1"
        if with_emails and not request.user.has_perm("petitions.export_signature_emails"):
            raise PermissionDenied
        content = signatures_export(petition=petition, user=request.user, with_emails=with_emails)
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="signatures-{petition.slug}.csv"'
        response["Cache-Control"] = "no-store"
        self.message_user(request, _("The export was written to the audit log."), messages.INFO)
        return response


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    # No email here: staff who need addresses export them, and that is logged.
    list_display = [
        "shown_name",
        "petition",
        "country",
        "consent_case_updates",
        "consent_org_news",
        "created_at",
        "confirmed_at",
    ]
    list_filter = [
        "petition",
        ("confirmed_at", admin.EmptyFieldListFilter),
        "name_withheld",
        "consent_case_updates",
        "consent_org_news",
    ]
    search_fields = ["name"]
    fields = [
        "petition",
        "shown_name",
        "name_withheld",
        "country",
        "consent_case_updates",
        "consent_org_news",
        "language",
        "created_at",
        "confirmed_at",
    ]
    readonly_fields = fields
    list_select_related = ["petition"]

    # A signature counted without its name shows none here either, and a search by name does not find
    # it: staff pages answer "who signed" as the exports do.
    # Not ordered by name: the order would tell of the names withheld.
    @admin.display(description=_("name"))
    def shown_name(self, signature):
        return signature.name_shown or _("(counted without the name)")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if is_office(request.user) else queryset.none()

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            found = found.exclude(name_withheld=True)
        return found, duplicates

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # The list shows signers' names: each page of it, and each search by name, is in the audit log
        # (the count, never the term, which may be a name).
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "GET" and changelist is not None:
            if changelist.query:
                audit.log(
                    "uadesk.signature.searched", user=request.user, obj=Signature,
                    found=changelist.result_count,
                )  # fmt: skip
            else:
                audit.log(
                    "uadesk.signature.viewed", user=request.user, obj=Signature,
                    shown=len(changelist.result_list),
                )  # fmt: skip
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            audit.log("uadesk.signature.viewed", user=request.user, obj=obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(SignatureExport)
class SignatureExportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "username", "petition_title", "with_emails", "rows"]
    list_filter = ["with_emails"]
    search_fields = ["username", "petition_title"]
    readonly_fields = ["created_at", "username", "user", "petition", "petition_title", "with_emails", "rows"]
    fields = readonly_fields
