"""Staff see supporters without their addresses, find one by exact address, and erase on request; a
section's staff, only the supporters of their section."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Exists, OuterRef
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uadesk.numbers import parse_int
from uadesk.staff import audit
from uadesk.staff.readonly import ReadOnlyAdmin
from uadesk.staff.sections import staff_section

from . import crypto
from .models import Erasure, PrivacyNotice, Supporter
from .services import erase


def exact_address_search(admin_obj, request, queryset, term: str, *, field: str, obj):
    """An exact address (in any spelling) or a number: the one row or none, never a partial match over
    a list of addresses (the address is hashed with the desk's key and compared with the stored hash).
    Whether someone is a supporter or a member is theirs to keep: each look-up is written to the audit
    log, without the address."""
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
    if request.method == "GET":  # a bulk action posted from the results is logged as itself
        audit.log(
            f"uadesk.{obj._meta.model_name}.searched", user=request.user, obj=obj, by=by, found=found.count()
        )
    return found, False


@admin.register(Supporter)
class SupporterAdmin(ReadOnlyAdmin):
    # No address in the list or on the page: staff who need one for a request use `uadesk supporters show`.
    list_display = ["__str__", "language", "created_at", "last_active_at"]
    fields = ["language", "created_at", "last_active_at"]
    readonly_fields = fields
    list_filter = ["language"]
    date_hierarchy = "last_active_at"
    search_fields = ["email_hash"]  # only turns the search box on; get_search_results does the work
    search_help_text = _("An exact email address (in any spelling of it), or a supporter number.")
    actions = ["erase_selected"]
    # The audit log says uadesk.supporter.erased: the admin's deletion here is always an erasure.
    audit_verbs = {"deleted": "erased"}

    def get_queryset(self, request):
        """A section's staff see the supporters the data ties to their section: its network's members, and
        who wrote from its version of an action. A signature (petitions are the office's) or a letter from
        the office's page ties no one to a section: those supporters stay the office's to see."""
        queryset = super().get_queryset(request)
        section = staff_section(request.user)
        if section is None:
            return queryset
        from uadesk.appeals.models import Appeal
        from uadesk.network.models import Member

        member = Member.objects.filter(supporter=OuterRef("pk"), section=section)
        wrote = Appeal.objects.filter(supporter=OuterRef("pk"), localisation__section=section)
        return queryset.filter(Exists(member) | Exists(wrote))

    def get_search_results(self, request, queryset, search_term):
        return exact_address_search(self, request, queryset, search_term, field="email_hash", obj=Supporter)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            audit.log("uadesk.supporter.viewed", user=request.user, obj=obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Read-only, and never deleted either: deleting the row alone would leave their names on
    # signatures and letters. Staff erase instead.

    def has_erase_permission(self, request):
        return request.user.has_perm("supporters.delete_supporter")

    @admin.action(
        permissions=["erase"], description=_("Erase the selected supporters and their data (counts stay)")
    )
    def erase_selected(self, request, queryset):
        if request.POST.get("post") != "yes":
            return TemplateResponse(
                request,
                "supporters/admin_erase.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Erase supporters' data"),
                    "opts": self.model._meta,
                    "queryset": queryset,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        by = f"staff:{request.user.get_username()}"
        # Into the audit log first, while the rows exist: it names them only by their number.
        self.log_deletions(request, queryset)
        count = sum(erase(supporter, by=by) for supporter in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d supporter erased; their letters and signatures still count.",
                "%(count)d supporters erased; their letters and signatures still count.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        return None


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    """The count of erasures per day and by whom: the audit of erasure, naming no supporter."""

    list_display = ["day", "by", "count"]
    list_filter = ["by"]
    date_hierarchy = "day"


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """The privacy notice in each language, written by staff; the public page is /privacy/."""

    list_display = ["language", "updated_at"]
