"""The signing form: who signs, their consent choices, a honeypot and the proof of work."""

from django import forms
from django.utils.translation import gettext_lazy as _

from uadesk.countries import CountryField


class SignForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(
        label=_("Your email"), max_length=254,
        help_text=_("We send you a link to confirm your signature. It is stored encrypted."),
    )  # fmt: skip
    country = CountryField(label=_("Your country"))
    name_withheld = forms.BooleanField(
        label=_("Count my signature without my name"), required=False,
        help_text=_(
            "It counts all the same. Your name is left out of everything we hand over, export or show; "
            "it stays only in the emails we send you."
        ),
    )  # fmt: skip
    consent_case_updates = forms.BooleanField(label=_("Email me updates on this case"), required=False)
    consent_org_news = forms.BooleanField(label=_("Email me the organisation's other news"), required=False)
    # The honeypot: hidden from people by CSS and from screen readers; bots fill every field.
    website = forms.CharField(
        label=_("Leave this empty"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )  # fmt: skip
    challenge = forms.CharField(widget=forms.HiddenInput, max_length=400)
    # Filled by petitions/pow.js; empty when the browser runs no JavaScript.
    work = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def with_choices(self) -> "SignForm":
        """Names the countries in the reader's language, for the page (signing itself needs only codes)."""
        self.fields["country"].with_choices()
        return self

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))
