"""The one form a supporter fills in here: their address, to be sent a new link to their data."""

from django import forms
from django.utils.translation import gettext_lazy as _


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("The address you signed or wrote with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
