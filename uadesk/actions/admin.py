"""Staff edit campaigns and actions here, with individuals, targets and letters inline."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import BoundField
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    EMPTY_LETTER,
    Action,
    Campaign,
    Individual,
    Localisation,
    ModelLetter,
    Outcome,
    Section,
    Target,
    Translation,
)
from .services import outcome_record, target_save
from .templatetags.actions import language_name

# -- The review of an imported draft: what the import doubted of, beside the field (doubts.py) ----------
# A doubt stays once staff corrected its field: the page cannot tell a correction from a look that found
# the field right, and the source beside it settles both.

DOUBTS_TEMPLATE = "admin/actions/action/doubts.html"


class DoubtedBoundField(BoundField):
    """A field followed by what the import doubted of it, which its input names (aria-describedby), so
    that a screen reader reads the doubt with the field."""

    @property
    def doubts(self) -> list[str]:
        return [] if self.is_hidden else getattr(self.form, "field_doubts", {}).get(self.name, [])

    @property
    def aria_describedby(self):
        described = super().aria_describedby
        if described is None or not self.doubts or not self.auto_id:
            return described  # None: the widget names its own description
        return f"{described} {self.auto_id}_doubt".strip()

    def __str__(self):
        html = super().__str__()
        if not self.doubts or not self.auto_id:
            return html
        doubts = render_to_string(DOUBTS_TEMPLATE, {"doubts": self.doubts, "id": f"{self.auto_id}_doubt"})
        return html + doubts

    __html__ = __str__


class DateWidget(AdminDateWidget):
    """Django's date input, whose context names the time-zone warning its script may add in place of
    any other description: this one names both, so a date's doubt is read with it too."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if asked := (attrs or {}).get("aria-describedby"):
            own = context["widget"]["attrs"].get("aria-describedby", "")
            context["widget"]["attrs"]["aria-describedby"] = f"{asked} {own}".strip()
        return context


class ReviewForm(forms.ModelForm):
    """A row of the review page (a target, ...), each field with what the import doubted of it, which
    its formset (ReviewFormSet) gives by the row's primary key."""

    bound_field_class = DoubtedBoundField

    def __init__(self, *args, doubts_by_pk: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_doubts = (doubts_by_pk or {}).get(self.instance.pk, {}) if self.instance.pk else {}


class ActionForm(ReviewForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_doubts = self.instance.review_doubts.fields


class ReviewFormSet(BaseInlineFormSet):
    """The rows of one of the document's lists, each row with the doubts of its index in the document
    (which the import stored as its position), and the doubts of the list as a whole (no target found,
    say), shown above it."""

    doubts_list = ""  # the document's list, as in doubts.LISTS

    def doubts_row(self, row, index: int) -> int | None:
        return row.position

    @cached_property
    def doubts_by_pk(self) -> dict[int, dict[str, list[str]]]:
        doubts = self.instance.review_doubts
        return {
            row.pk: doubts.of_row(self.doubts_list, self.doubts_row(row, i))
            for i, row in enumerate(self.get_queryset())
        }

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "doubts_by_pk": self.doubts_by_pk}

    @property
    def list_doubts(self) -> list[str]:
        return self.instance.review_doubts.lists.get(self.doubts_list, [])


class IndividualFormSet(ReviewFormSet):
    doubts_list = "individuals"


class RequiredOnPublishFormSet(ReviewFormSet):
    """Refuses to publish an action whose inline rows (targets, letters) would be left empty."""

    empty_message = ""

    def clean(self) -> None:
        super().clean()
        if self.instance.status != Action.Status.PUBLISHED:
            return
        kept = [
            f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.has_changed()
        ] + [f for f in self.initial_forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError(self.empty_message)


class TargetFormSet(RequiredOnPublishFormSet):
    empty_message = _("A published action needs at least one target to write to.")
    doubts_list = "targets"


class LetterFormSet(RequiredOnPublishFormSet):
    empty_message = _("A published action needs a model letter.")
    doubts_list = "model_letter"

    def doubts_row(self, row, index: int) -> int | None:
        # The document's letter is the action's first; those added later are its translations.
        return 0 if index == 0 else None


def target_saved(model_admin: admin.ModelAdmin, request, target: Target) -> None:
    """Saves a target edited in the staff desk. A new address on a target letters go to holds the letters
    waiting for it (target_save): the change is written to the audit log, and the editor is told where
    to approve those letters."""
    saved = target_save(target=target)
    if not saved.new_addresses:
        return
    model_admin.log_change(
        request, target,
        f"Letters now go to {', '.join(saved.new_addresses)} (an email address or fax number added or "
        f"changed); {saved.held} queued letters held for review until approved in the review queue.",
    )  # fmt: skip
    if saved.held:
        queue = (
            reverse("admin:appeals_appeal_changelist") + f"?status__exact=held&target__id__exact={target.pk}"
        )
        notice = ngettext(
            "%(count)d letter to %(target)s is held until you approve it in the review queue.",
            "%(count)d letters to %(target)s are held until you approve them in the review queue.",
            saved.held,
        ) % {"count": saved.held, "target": target.display_name}
        model_admin.message_user(
            request, format_html('{} <a href="{}">{}</a>', notice, queue, _("Open the review queue")),
            messages.WARNING,
        )  # fmt: skip


def _error_summary(form, inline_admin_formsets) -> list[str]:
    """Every error of the form and its inlines, each with the field or section it belongs to."""
    summary = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        summary += [f"{label}: {error}" if label else str(error) for error in errors]
    for inline in inline_admin_formsets:
        formset, heading = inline.formset, capfirst(inline.opts.verbose_name_plural)
        summary += [f"{heading}: {error}" for error in formset.non_form_errors()]
        for errors in formset.errors:
            for name, messages_ in errors.items():
                field = formset.form.base_fields.get(name)
                label = f"{heading}, {field.label}" if field and field.label else heading
                summary += [f"{label}: {error}" for error in messages_]
    return summary


class OfficeReadOnly:
    """An inline shown, not edited, on an action from an office desk's feed: the office's people,
    officials, letters and translations come from its feed, and the next change there would undo an
    edit here. The section adds its own in its localisation."""

    def _from_office(self, obj) -> bool:
        # On a section's own form (LocalisationAdmin) the parent is the localisation: the section's own.
        return isinstance(obj, Action) and obj.from_office()

    def has_add_permission(self, request, obj=None):
        return not self._from_office(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._from_office(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._from_office(obj) and super().has_delete_permission(request, obj)


class IndividualInline(OfficeReadOnly, admin.TabularInline):
    model = Individual
    form = ReviewForm
    formset = IndividualFormSet
    extra = 0
    fields = ["name", "native_name", "pronoun", "status", "position"]


# A target has most often one or two of each: two rows each, growing as staff type (staff.css).
COMPACT_TARGET_FIELDS = {"emails", "faxes", "phones", "social", "address", "native_address"}


class CompactTargetFields:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in COMPACT_TARGET_FIELDS:
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "class": "compact"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class TargetInline(OfficeReadOnly, CompactTargetFields, admin.StackedInline):
    model = Target
    form = ReviewForm
    formset = TargetFormSet
    extra = 0
    fieldsets = [
        (
            None,
            {"fields": [("role", "position"), ("honorific", "name"), "native_name", "title", "salutation"]},
        ),
        (_("Post"), {"fields": ["address", "native_address", ("native_language", "country")]}),
        (_("Email, fax, phone"), {"fields": ["emails", "faxes", "phones", "social"]}),
    ]

    def get_queryset(self, request):
        # The action's own targets: those a section added are edited with the section's version.
        return super().get_queryset(request).filter(localisation__isnull=True)


class ModelLetterForm(ReviewForm):
    class Meta:
        model = ModelLetter
        fields = ["language", "salutation", "body", "closing"]
        error_messages = {"body": {"required": EMPTY_LETTER}}


class ModelLetterInline(OfficeReadOnly, admin.StackedInline):
    model = ModelLetter
    form = ModelLetterForm
    formset = LetterFormSet
    extra = 0
    fields = ["language", "subject", "salutation", "body", "closing"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(localisation__isnull=True)


class TranslationForm(forms.ModelForm):
    """A translation of the case, with a position and a salutation field for each of the action's
    officials (stored together in Translation.officials); `targets` is set per action (for_targets)."""

    targets: list[Target] = []

    class Meta:
        model = Translation
        fields = [
            "language",
            "title",
            "summary",
            "asks",
            "additional_information",
            "delivery_notes",
            "risk_notice",
        ]

    @classmethod
    def for_targets(cls, targets: list[Target]) -> type["TranslationForm"]:
        fields = {}
        for target in targets:
            name = target.display_name
            fields[f"official_{target.pk}_title"] = forms.CharField(
                label=_("Position of %(name)s") % {"name": name}, required=False, max_length=300,
                help_text=target.title,
            )  # fmt: skip
            fields[f"official_{target.pk}_salutation"] = forms.CharField(
                label=_("Salutation to %(name)s") % {"name": name}, required=False, max_length=200,
                help_text=target.salutation,
            )  # fmt: skip
        return type("TranslationForm", (cls,), {**fields, "targets": targets})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for target in self.targets:
            for part, value in self.instance.official(target).items():
                self.fields[f"official_{target.pk}_{part}"].initial = value

    def clean(self):
        cleaned = super().clean()
        officials = {}
        for target in self.targets:
            parts = {
                part: cleaned.get(f"official_{target.pk}_{part}", "").strip()
                for part in ("title", "salutation")
            }
            if any(parts.values()):
                officials[str(target.pk)] = parts
        # Officials a section added, or translated before a target was removed, stay as they were.
        shown = {str(t.pk) for t in self.targets}
        kept = {k: v for k, v in (self.instance.officials or {}).items() if k not in shown}
        self.instance.officials = kept | officials
        return cleaned


class TranslationInline(OfficeReadOnly, admin.StackedInline):
    """The case in more languages: the page shows each reader theirs (Action.text_in)."""

    model = Translation
    fk_name = "action"
    extra = 0
    classes = ["collapse"]

    def officials(self, obj) -> list[Target]:
        return [t for t in obj.targets.all() if t.localisation_id is None] if obj else []

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = TranslationForm.for_targets(self.officials(obj))
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(localisation__isnull=True)


class OutcomeInline(admin.StackedInline):
    model = Outcome
    extra = 0
    fields = [("individual", "kind", "happened_on"), "public_note"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the people of the action being edited.
        if db_field.name == "individual":
            match = request.resolver_match
            object_id = match.kwargs.get("object_id") if match else None
            kwargs["queryset"] = Individual.objects.filter(action_id=object_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    # What staff scan the list for, in a width that fits beside the filters at 1280 px: one deadline
    # column (the one that counts, an extension noted under it) and the day it last changed.
    list_display = ["title", "status", "deadline_shown", "campaign", "updated_on"]
    list_filter = ["status", "kind", "campaign"]
    search_fields = ["title", "ua_number", "index_number", "targets__name"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "deadline"
    form = ActionForm
    formfield_overrides = {models.DateField: {"widget": DateWidget}}
    inlines = [IndividualInline, TargetInline, ModelLetterInline, TranslationInline, OutcomeInline]
    autocomplete_fields = ["earlier"]
    readonly_fields = ["source_language_name", "published_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "campaign", "status", "kind"]}),
        (
            _("Reference"),
            {"fields": [("ua_number", "index_number"), "issued_on", "earlier", "previous_ua_urls"]},
        ),
        (_("Case"), {"fields": ["summary", "asks", "additional_information"]}),
        (
            _("Deadline and languages"),
            {
                "fields": [
                    "deadline",
                    ("deadline_extended_to", "deadline_extension_reason"),
                    "keep_open_after_outcomes",
                    "preferred_languages",
                    "source_language_name",
                    "own_language_welcome",
                    "review_letters",
                    "held_words",
                    "max_appeals_per_target_per_hour",
                    "delivery_notes",
                ]
            },
        ),
        (_("Writers at risk"), {"fields": ["risk_notice"]}),
        (_("History"), {"fields": ["published_at", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    actions = ["close_actions"]
    # What an office desk wrote, on an action from its feed (Action.from_office): the section localises
    # it instead (its deadline, officials and translations), and the office's next change comes by the feed.
    FROM_OFFICE = [
        "title", "kind", "ua_number", "index_number", "issued_on", "earlier", "previous_ua_urls", "summary",
        "asks", "additional_information", "deadline", "preferred_languages", "delivery_notes",
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).with_effective_deadline()

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "office_original", *self.FROM_OFFICE] if obj and obj.from_office() else fields

    def get_prepopulated_fields(self, request, obj=None):
        # The slug follows the title while typing only; a read-only title has no field to follow.
        return {} if obj and obj.from_office() else super().get_prepopulated_fields(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj and obj.from_office():
            return [(_("From the office desk"), {"fields": ["office_original"]}), *fieldsets]
        return fieldsets

    @admin.display(description=_("original"))
    def office_original(self, action: Action) -> str:
        entry = action.feed_entry
        localisations = reverse("admin:actions_localisation_changelist") + f"?action__id__exact={action.pk}"
        changed = ", ".join(entry.changed_fields) or _("nothing yet")
        return format_html(
            '<a href="{}" rel="noreferrer">{}</a><br>{}<br><a href="{}">{}</a>',
            entry.document.get("url") or "", entry.subscription.name,
            _("Changed by the office since it came: %(fields)s") % {"fields": changed},
            localisations, _("Localise it: the section's deadline, officials and translations"),
        )  # fmt: skip

    @admin.display(description=_("deadline"), ordering="effective_deadline_db")
    def deadline_shown(self, action: Action) -> str:
        shown = action.deadline_extended_to or action.deadline
        if shown is None:
            return self.get_empty_value_display()
        # A date kept on one line; the columns' headings and other words wrap instead.
        day = format_html('<span class="nowrap">{}</span>', date_format(shown))
        if not (action.deadline_extended_to and action.deadline):
            return day
        extended = _("extended from %(date)s") % {"date": date_format(action.deadline, "SHORT_DATE_FORMAT")}
        return format_html('{}<br><span class="quiet">{}</span>', day, extended)

    @admin.display(description=_("updated"), ordering="updated_at")
    def updated_on(self, action: Action) -> str:
        return format_html(
            '<span class="nowrap">{}</span>',
            date_format(timezone.localdate(action.updated_at), "SHORT_DATE_FORMAT"),
        )

    @admin.display(description=_("language of the source document"))
    def source_language_name(self, action: Action) -> str:
        if not action.source_language:
            return _("Not known") if action.source_text else self.get_empty_value_display()
        return f"{language_name(action.source_language)} ({action.source_language})"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_publish" in request.POST:
            # "Save and publish" is a save with the status set, so the same rules apply.
            request.POST = request.POST.copy()
            request.POST["status"] = Action.Status.PUBLISHED
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "POST" and "_publish" in request.POST and context.get("errors") and obj:
            # Not published: the form shows the status the action still has (and so its publish button),
            # not the one the refused save asked for, and says at the top what stopped it.
            stored = Action.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
            obj.status = stored or Action.Status.DRAFT
            form = context["adminform"].form
            form.data = form.data.copy()
            form.data["status"] = obj.status
            context["error_summary"] = _error_summary(form, context.get("inline_admin_formsets", []))
            self.message_user(
                request, _("Not published: the action is still a draft. Correct what is listed below."),
                messages.ERROR,
            )  # fmt: skip
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is Target:
            for target in formset.save(commit=False):
                target_saved(self, request, target)
            for target in formset.deleted_objects:
                target.delete()
            return None
        if formset.model is not Outcome:
            return super().save_formset(request, form, formset, change)
        # New outcomes go through the service: the individual's status follows, the news is emailed.
        for outcome in formset.save(commit=False):
            if outcome.pk is None:
                outcome_record(outcome)
            else:
                outcome.save()
        for outcome in formset.deleted_objects:
            outcome.delete()

    @admin.action(description=_("Close the selected actions"), permissions=["change"])
    def close_actions(self, request, queryset):
        # Published actions only: a closed action is public, so closing a draft would publish it.
        closing = list(queryset.filter(status=Action.Status.PUBLISHED))
        for action in closing:
            action.close()
            self.log_change(request, action, "Closed")  # the audit log sees bulk actions too
        closed = ngettext("%(count)d action closed.", "%(count)d actions closed.", len(closing))
        self.message_user(request, closed % {"count": len(closing)})


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country"]


class SectionTargetInline(CompactTargetFields, admin.StackedInline):
    model = Target
    fk_name = "localisation"
    extra = 1
    fieldsets = [
        (None, {"fields": ["replaces"]}),
        *TargetInline.fieldsets,
    ]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only what the action copies its letters to can be replaced (Target.clean says why).
        copies = (
            Target.objects.filter(action=obj.action, localisation=None, role=Target.Role.COPY)
            if obj
            else None
        )
        formset.form.base_fields["replaces"].queryset = (
            copies if copies is not None else Target.objects.none()
        )
        return formset


class SectionTranslationInline(TranslationInline):
    fk_name = "localisation"
    # Open, not folded as on the action: translating is most of what a section does here.
    classes = []

    def officials(self, obj) -> list[Target]:
        return [t for t in obj.action.targets_for(obj) if t.localisation_id is None] if obj else []

    def get_queryset(self, request):
        return Translation.objects.filter(localisation__isnull=False)


class SectionLetterInline(admin.StackedInline):
    model = ModelLetter
    fk_name = "localisation"
    form = ModelLetterForm
    extra = 0
    fields = ["language", "subject", "salutation", "body", "closing"]


@admin.register(Localisation)
class LocalisationAdmin(admin.ModelAdmin):
    """A section's version of an action: its embassy, its translations, its later deadline."""

    list_display = ["action", "section", "deadline"]
    list_filter = ["section"]
    autocomplete_fields = ["action"]
    fields = ["action", "section", "deadline", "introduction"]
    inlines = [SectionTargetInline, SectionLetterInline, SectionTranslationInline]

    def save_formset(self, request, form, formset, change):
        # What the section adds belongs to the action too, so that counts and prints take it in.
        for item in formset.save(commit=False):
            item.action = form.instance.action
            if isinstance(item, Target):
                target_saved(self, request, item)
            else:
                item.save()
        for item in formset.deleted_objects:
            item.delete()
        formset.save_m2m()
