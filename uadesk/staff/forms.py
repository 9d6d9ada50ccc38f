"""Staff sign in with their password and, once enrolled, the code from their authenticator app."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice


class StaffLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("Leave it empty only on your first sign-in, before you have set up the app."),
    )  # fmt: skip
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        # A staff member who has not yet set up a device signs in with the password alone, and is
        # then held on the set-up page until they have; everyone else needs the code now.
        if user is not None and TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
            if not cleaned.get("otp_device"):
                cleaned["otp_device"] = (
                    TOTPDevice.objects.devices_for_user(user, confirmed=True).first().persistent_id
                )
            self.clean_otp(user)
        return cleaned


class EnrolForm(forms.Form):
    token = forms.CharField(
        label=_("The six-digit code the app shows now"), max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not self.device.verify_token(token):
            raise forms.ValidationError(
                _("That code does not match: check the app's clock and try the new code.")
            )
        return token
