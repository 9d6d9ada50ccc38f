"""The organiser's forms: an event for open actions, and the count of its letters afterwards."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import Action, ModelLetter, local_today
from uadesk.actions.templatetags.actions import language_attrs, language_name

from .models import MAX_TALLY, Event


class EventForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Letter languages"), widget=forms.CheckboxSelectMultiple,
        help_text=_("The model letters to print, in these languages."),
        error_messages={"required": _("Choose at least one language for the model letters.")},
    )  # fmt: skip

    class Meta:
        model = Event
        fields = ["name", "date", "place", "actions", "expected_writers", "languages", "label_sheet"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "actions": forms.CheckboxSelectMultiple,
            "label_sheet": forms.RadioSelect,
        }
        error_messages = {"actions": {"required": _("Choose at least one open action.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = local_today()
        # Open actions, and those already in the event even if they have closed since.
        chosen = Q(pk__in=self.instance.actions.all()) if self.instance.pk else Q(pk__in=[])
        self.fields["actions"].queryset = (
            Action.objects.with_effective_deadline()
            .filter(chosen | Q(status=Action.Status.PUBLISHED, effective_deadline_db__gte=today))
            .order_by("effective_deadline_db", "title")
        )
        self.fields["actions"].label_from_instance = lambda a: format_html(
            "<span{}>{}</span> ({})",
            language_attrs(a.case_language),
            a.title,
            f"{a.effective_deadline:%Y-%m-%d}",
        )
        codes = sorted(set(ModelLetter.objects.filter(action__in=self.fields["actions"].queryset)
                           .values_list("language", flat=True)))  # fmt: skip
        self.fields["languages"].choices = [(c, f"{language_name(c)} ({c})") for c in codes]
        if self.instance.pk:
            self.initial["languages"] = self.instance.language_codes

    def clean_languages(self) -> str:
        return ", ".join(self.cleaned_data["languages"])

    def clean(self):
        data = super().clean()
        actions = data.get("actions")
        if actions and not self.has_error("languages") and not self.has_error("expected_writers"):
            self.instance.languages = data.get("languages") or ""
            self.instance.expected_writers = data.get("expected_writers") or 0
            if date := data.get("date"):
                self.instance.date = date
                for problem in self.instance.action_problems(list(actions)):
                    self.add_error("actions", problem)
        return data


class TallyForm(forms.Form):
    """A number of letters per official, prefilled with what was counted before."""

    def __init__(self, *args, targets, counted: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        for target in targets:
            self.fields[f"target_{target.pk}"] = forms.IntegerField(
                # The official's name and position are in the case's language, not the page's.
                label=format_html(
                    "<span{}>{}</span>",
                    language_attrs(target.text_language),
                    f"{target.display_name}" + (f", {target.title}" if target.title else ""),
                ),
                initial=counted.get(target.pk, 0),
                validators=[MinValueValidator(0), MaxValueValidator(MAX_TALLY)],
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": MAX_TALLY}),
                error_messages={"required": _("Enter a number of letters, 0 if none.")},
            )

    def rows(self):
        """(action, [bound field, ...]) for each action of the event, in the order of the targets."""
        grouped: dict = {}
        for target in self.targets:
            grouped.setdefault(target.action, []).append(self[f"target_{target.pk}"])
        return list(grouped.items())

    def letters(self) -> dict[int, int]:
        return {t.pk: self.cleaned_data[f"target_{t.pk}"] for t in self.targets}
