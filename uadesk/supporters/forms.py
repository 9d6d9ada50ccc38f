"""The forms a supporter fills in here: their address, for a new link to their data or for a reminder."""

from django import forms
from django.utils.translation import gettext_lazy as _


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("The address you signed or wrote with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ReminderForm(forms.Form):
    email = forms.EmailField(label=_("Your email"), max_length=254)
