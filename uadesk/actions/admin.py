"""Staff edit campaigns and actions here, with individuals, targets and letters inline."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
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
)
from .services import outcome_record, target_save


class RequiredOnPublishFormSet(BaseInlineFormSet):
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


class LetterFormSet(RequiredOnPublishFormSet):
    empty_message = _("A published action needs a model letter.")


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


class IndividualInline(admin.TabularInline):
    model = Individual
    extra = 0
    fields = ["name", "native_name", "pronoun", "status", "position"]


class TargetInline(admin.StackedInline):
    model = Target
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


class ModelLetterForm(forms.ModelForm):
    class Meta:
        model = ModelLetter
        fields = ["language", "salutation", "body", "closing"]
        error_messages = {"body": {"required": EMPTY_LETTER}}


class ModelLetterInline(admin.StackedInline):
    model = ModelLetter
    form = ModelLetterForm
    formset = LetterFormSet
    extra = 0
    fields = ["language", "subject", "salutation", "body", "closing"]

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
    list_display = ["title", "status", "deadline", "deadline_extended_to", "campaign", "updated_at"]
    list_filter = ["status", "kind", "campaign"]
    search_fields = ["title", "ua_number", "index_number", "targets__name"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "deadline"
    inlines = [IndividualInline, TargetInline, ModelLetterInline, OutcomeInline]
    autocomplete_fields = ["earlier"]
    readonly_fields = ["published_at", "created_at", "updated_at"]
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
                    "preferred_languages",
                    "own_language_welcome",
                    "review_letters",
                    "held_words",
                    "max_appeals_per_target_per_hour",
                    "delivery_notes",
                ]
            },
        ),
        (_("History"), {"fields": ["published_at", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    actions = ["close_actions"]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_publish" in request.POST:
            # "Save and publish" is a save with the status set, so the same rules apply.
            request.POST = request.POST.copy()
            request.POST["status"] = Action.Status.PUBLISHED
        return super().changeform_view(request, object_id, form_url, extra_context)

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
        self.message_user(request, _("%(count)d actions closed.") % {"count": len(closing)})


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country"]


class SectionTargetInline(admin.StackedInline):
    model = Target
    fk_name = "localisation"
    extra = 1
    fieldsets = TargetInline.fieldsets


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
    inlines = [SectionTargetInline, SectionLetterInline]

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
