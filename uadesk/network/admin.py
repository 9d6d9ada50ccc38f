"""The network on the staff desk: mailings (audience, preview, test, send, pause, cancel, report)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from uadesk.delivery.models import Message
from uadesk.delivery.services import message_queue
from uadesk.formats.sheets import csv_text

from . import mailings
from .admin_print import print_urls
from .models import Mailing
from .sending import PERSONAL, mailing_letter, personal


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["action", "kind", "status", "send_at", "started_at", "finished_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["action"]
    search_fields = ["action__title", "action__ua_number"]
    fields = ["action", "kind", "outcome", "status", "languages", "countries", "themes", "channel", "send_at"]
    readonly_fields = ["action", "kind", "outcome", "status"]
    filter_horizontal = ["themes"]
    change_form_template = "network/admin/mailing_change_form.html"

    def has_add_permission(self, request):
        return False  # publishing drafts them

    def has_change_permission(self, request, obj=None):
        # The audience is chosen before sending; afterwards the page is the mailing's report.
        editable = obj is None or obj.status in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED)
        return editable and super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        mailing = self.get_object(request, object_id)
        extra = {}
        if mailing is not None:
            extra = {
                "audience_size": mailings.audience(mailing).count(),
                "report": mailings.mailing_report(mailing),
                "languages": mailings.preview_languages(mailing),
                "can_send": request.user.has_perm("network.change_mailing"),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/<str:language>/", view(self.preview_view), name="network_mailing_preview"),
            path("<int:pk>/report.csv", view(self.report_view), name="network_mailing_report"),
            path("<int:pk>/do/<slug:verb>/", view(self.do_view), name="network_mailing_do"),
            *(path(str(p.pattern), view(p.callback), name=p.name) for p in print_urls),
        ] + super().get_urls()

    def preview_view(self, request, pk, language):
        if not request.user.has_perm("network.view_mailing"):
            raise PermissionDenied
        mailing = get_object_or_404(Mailing.objects.select_related("action"), pk=pk)
        letter = personal(mailing_letter(mailing, language), dict.fromkeys(PERSONAL, "#"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview"), "mailing": mailing, "letter": letter, "language": language,
            "opts": self.opts,
        }  # fmt: skip
        return render(request, "network/admin/mailing_preview.html", context)

    def report_view(self, request, pk):
        if not request.user.has_perm("network.view_mailing"):
            raise PermissionDenied
        mailing = get_object_or_404(Mailing, pk=pk)
        rows = [["measure", "channel", "count"]]
        for measure, value in mailings.mailing_report(mailing).items():
            for channel, count in value.items() if isinstance(value, dict) else [("", value)]:
                rows.append([measure, channel, count])
        response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="mailing-{mailing.pk}.csv"'
        return response

    def do_view(self, request, pk, verb):
        return require_POST(lambda request: _do(self, request, pk, verb))(request)


def _do(model_admin, request, pk, verb):
    """The buttons of a mailing's page; each is in the audit log (mailings.py writes it)."""
    if not request.user.has_perm("network.change_mailing"):
        raise PermissionDenied
    mailing = get_object_or_404(Mailing, pk=pk)
    back = redirect(reverse("admin:network_mailing_change", args=[pk]))
    if verb == "test":
        email = request.user.email
        if not email:
            model_admin.message_user(request, _("Your staff account has no email address."), messages.ERROR)
            return back
        for language in mailings.preview_languages(mailing):
            message_queue(
                Message.Kind.MAILING,
                0,
                params={"test": mailing.pk, "language": language, "user": request.user.pk},
            )
        model_admin.message_user(
            request, _("A test in each language is on its way to %(email)s.") % {"email": email}
        )
        return back
    try:
        if verb == "send":
            mailings.mailing_send(mailing, when=mailing.send_at, user=request.user)
        elif verb == "pause":
            mailings.mailing_pause(mailing, user=request.user)
        elif verb == "resume":
            mailings.mailing_resume(mailing, user=request.user)
        elif verb == "cancel":
            mailings.mailing_cancel(mailing, user=request.user)
        else:
            raise PermissionDenied
    except mailings.NotSendable as error:
        model_admin.message_user(request, str(error), messages.ERROR)
        return back
    mailing.refresh_from_db()
    model_admin.message_user(request, format_html("{}: {}", mailing, mailing.get_status_display()))
    return back
