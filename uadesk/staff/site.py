"""The staff desk's admin site: every page needs a verified second factor, and the way to set one up."""

from functools import update_wrapper

import segno
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import EnrolForm, StaffLoginForm


def needs_enrolment(user) -> bool:
    return not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


class StaffSite(admin.AdminSite):
    site_header = "uadesk"
    site_title = _("uadesk staff")
    login_form = StaffLoginForm
    login_template = "staff/login.html"

    def has_permission(self, request):
        return super().has_permission(request) and request.user.is_verified()

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            user = request.user
            if user.is_active and user.is_staff and not user.is_verified() and needs_enrolment(user):
                return redirect(reverse("admin:two_factor"))
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)

    def get_urls(self):
        return [path("two-factor/", self.enrol, name="two_factor"), *super().get_urls()]

    def enrol(self, request):
        """Sets up the staff member's authenticator app: a QR code to scan, then one code to prove it."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return redirect(f"{reverse('admin:login')}?{REDIRECT_FIELD_NAME}={request.path}")
        if not needs_enrolment(user):
            return redirect(reverse("admin:index"))
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=False
        )
        form = EnrolForm(request.POST or None, device=device)
        if request.method == "POST" and form.is_valid():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(reverse("admin:index"))
        qr = segno.make(device.config_url, error="m")
        context = {
            **self.each_context(request),
            "title": _("Set up your second factor"),
            "form": form,
            # An inline SVG: the secret never leaves the desk for a QR service.
            "qr_svg": qr.svg_inline(scale=4, omitsize=False),
            "secret": device.bin_key.hex() and _base32(device.bin_key),
        }
        return render(request, "staff/two_factor.html", context)


def _base32(key: bytes) -> str:
    import base64

    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
