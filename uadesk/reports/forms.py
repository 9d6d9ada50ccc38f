"""The date range a report or an export covers."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return data

    def period(self) -> dict:
        """The range asked for; an invalid form reports its errors and covers all time."""
        if not self.is_valid():
            return {"since": None, "until": None}
        return {"since": self.cleaned_data.get("since"), "until": self.cleaned_data.get("until")}
