"""The staff desk's admin site: every page needs a verified second factor, and the way to set one up;
every model admin on it writes to the audit log."""

from functools import update_wrapper

import segno
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login

from .audited import audited
from .forms import EnrolForm, StaffLoginForm
from .services import enrolment_device, needs_enrolment


class StaffSite(admin.AdminSite):
    site_header = "uadesk"
    site_title = _("uadesk staff")
    login_form = StaffLoginForm
    login_template = "staff/login.html"
    index_title = _("Today at the desk")
    index_template = "staff/home.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every admin, ours and those of Django's and other apps (users, groups, failed sign-ins).
        super().register(model_or_iterable, audited(admin_class or admin.ModelAdmin), **options)

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

    def each_context(self, request):
        context = super().each_context(request)
        if not self.has_permission(request):
            # Before the second factor, nothing of the desk: not even the names of its apps.
            context.update(available_apps=[], is_nav_sidebar_enabled=False)
        return context

    def get_app_list(self, request, app_label=None):
        """The desk's own apps first; those of Django and other packages (accounts, sign-in locks, the
        task queue) only for administrators, last, as the machinery they are."""
        from .home import is_administrator

        apps = super().get_app_list(request, app_label)
        own = [app for app in apps if _is_ours(app["app_label"])]
        if app_label is not None or is_administrator(request.user):
            return own + [app for app in apps if app not in own]
        return own

    def index(self, request, extra_context=None):
        from .home import desk_day

        return super().index(request, {"desk": desk_day(user=request.user), **(extra_context or {})})

    def login(self, request, extra_context=None):
        if request.method == "POST" and not (
            request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        ):
            # Without "next", Django's default is /accounts/profile/, which the desk has not.
            request.POST = request.POST.copy()
            request.POST[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        return super().login(request, extra_context)

    def get_urls(self):
        return [
            path("two-factor/", self.enrol, name="two_factor"),
            path("two-factor/<str:token>/", self.enrol, name="two_factor_setup"),
            *super().get_urls(),
        ]

    def enrol(self, request, token=None):
        """Sets up the staff member's authenticator app from the link an administrator issued them: a QR
        code to scan, then one code to prove it. Without that link, a password alone enrols nothing."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return redirect(f"{reverse('admin:login')}?{REDIRECT_FIELD_NAME}={request.path}")
        if not needs_enrolment(user):
            return redirect(reverse("admin:index"))
        device = enrolment_device(token, user) if token else None
        context = {
            **self.each_context(request),
            "title": _("Set up your second factor"),
            "link_given": bool(token),
        }
        if device is None:
            return render(request, "staff/two_factor.html", context, status=403 if token else 200)
        form = EnrolForm(request.POST or None, device=device)
        if request.method == "POST" and form.is_valid():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(reverse("admin:index"))
        qr = segno.make(device.config_url, error="m")
        context |= {
            "form": form,
            # An inline SVG: the secret never leaves the desk for a QR service.
            "qr_svg": qr.svg_inline(scale=4, omitsize=False),
            "secret": _base32(device.bin_key),
        }
        response = render(request, "staff/two_factor.html", context)
        response["Cache-Control"] = "no-store"  # the page shows the device's secret
        return response


def _is_ours(app_label: str) -> bool:
    from django.apps import apps

    return apps.get_app_config(app_label).name.startswith("uadesk")


def _base32(key: bytes) -> str:
    import base64

    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
