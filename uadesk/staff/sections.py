"""The section a staff account works for, and what of the desk it sees: its section's rows, or all."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404


def staff_section(user):
    """The account's section (actions.Section), or None for the office's staff: an account without a
    StaffSection row, or with no section in it."""
    if getattr(user, "pk", None) is None:
        return None
    try:
        row = user.staff_section
    except ObjectDoesNotExist:
        return None
    return row.section


def is_office(user) -> bool:
    return staff_section(user) is None


def visible(queryset: QuerySet, user, path: str = "section") -> QuerySet:
    """The rows the account may see: every row for the office's staff; for a section's, those whose
    `path` (a lookup that ends at a Section) is theirs. Office rows (no section) are the office's only."""
    section = staff_section(user)
    return queryset if section is None else queryset.filter(**{path: section})


class SectionScopedAdmin:
    """A ModelAdmin of rows that belong to a section at `section_path`: a section's staff see, open and
    act on their own only (another's by its address is a 404, as a row that does not exist), and what
    they add is their section's, which they cannot change. The office's staff see every section's, with
    the section shown and filtered by where the desk has sections."""

    section_path = "section"

    def get_queryset(self, request):
        return visible(super().get_queryset(request), request.user, self.section_path)

    def get_object(self, request, object_id, from_field=None):
        # Django's admin redirects to the index for a row it cannot find; a 404 says no more and no less.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def _sections_shown(self, request) -> bool:
        # A desk with no section keeps its pages as they were.
        from uadesk.actions.models import Section

        return is_office(request.user) and Section.objects.exists()

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        return [*shown, self.section_path] if self._sections_shown(request) else shown

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return [*filters, self.section_path] if self._sections_shown(request) else filters

    def save_model(self, request, obj, form, change):
        section = staff_section(request.user)
        if not change and section is not None:
            setattr(obj, self.section_path, section)
        super().save_model(request, obj, form, change)
