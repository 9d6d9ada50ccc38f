"""Staff dashboards of what supporters did, with their exports: CSV, XLSX and a one-page PDF."""

import io

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from uadesk.actions.models import Action
from uadesk.formats.sheets import csv_text, workbook
from uadesk.staff.decorators import staff_required

from . import charts
from .feedback import (
    NO_SECTION_YET,
    OFF_DESK_CHANNELS,
    ON_DESK_CHANNELS,
    actions_with_reports,
    channel_name,
    feedback,
    feedback_summaries,
    feedback_tables,
)
from .forms import PeriodForm
from .pdf import feedback_pdf, report_pdf
from .services import appeal_report, export_rows

EXPORT_HEADER = ["day", "action", "target", "channel", "event", "appeals"]


def _allowed(request) -> None:
    # Counts only: no view here shows a supporter's name, address or letter.
    if not request.user.has_perm("reports.view_reports"):
        raise PermissionDenied


@staff_required
def dashboard(request, slug=None):
    _allowed(request)
    action = get_object_or_404(Action, slug=slug) if slug else None
    form = PeriodForm(request.GET or None)
    report = appeal_report(action, **form.period())
    sections = [
        (_("By channel"), report.by_channel),
        (_("By target"), report.by_target),
        (_("By letter language"), report.by_language),
        (_("By supporter's country"), report.by_country),
        (_("Online or at an event"), report.by_source),
        (_("Members who said they wrote off the desk"), report.off_desk),
    ]
    if action is None:
        sections.append((_("By action"), report.by_action))
    context = {
        **admin.site.each_context(request),  # the staff desk's header and menu, as on its other pages
        "title": action.title if action else _("All actions"),
        "action": action,
        "form": form,
        "report": report,
        "query": request.GET.urlencode(),
        "per_day_chart": charts.column_chart(
            [charts.Bar(day.isoformat(), n) for day, n in report.per_day], title=_("Appeals per day")
        ),
        "charts": [
            (heading, charts.bar_chart([charts.Bar(str(k), n) for k, n in pairs[:15]], title=heading), pairs)
            for heading, pairs in sections
        ],
    }
    return render(request, "reports/dashboard.html", context)


@staff_required
def export(request, fmt, slug=None):
    _allowed(request)
    action = get_object_or_404(Action, slug=slug) if slug else None
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponse(" ".join(e for errors in form.errors.values() for e in errors), status=400)
    name = f"uadesk-{action.slug if action else 'all'}"
    if fmt == "pdf":
        report = appeal_report(action, **form.period())
        pdf = report_pdf(report, title=action.title if action else _("All actions"))
        response = HttpResponse(pdf, content_type="application/pdf")
    else:
        rows = [
            [day.isoformat(), slug, target, channel, event or "", n]
            for day, slug, target, channel, event, n in export_rows(action=action, **form.period())
        ]
        if fmt == "csv":
            response = HttpResponse(csv_text([EXPORT_HEADER, *rows]), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                xlsx(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


FEEDBACK_PER_PAGE = 50


@staff_required
def feedback_list(request):
    """The UAs sections reported on, the latest report first: where staff find a UA's feedback."""
    _allowed(request)
    page = Paginator(actions_with_reports(), FEEDBACK_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **admin.site.each_context(request),
        "title": _("Feedback from sections"),
        "page": page,
        "summaries": feedback_summaries(list(page.object_list)),
    }
    return render(request, "reports/feedback_list.html", context)


@staff_required
def feedback_page(request, slug):
    _allowed(request)
    action = get_object_or_404(Action, slug=slug)
    report = feedback(action)
    context = {
        **admin.site.each_context(request),
        "title": action.title,
        "action": action,
        "report": report,
        "no_section_yet": NO_SECTION_YET,
        "on_desk_channels": [channel_name(c) for c in ON_DESK_CHANNELS],
        "off_desk_channels": [channel_name(c) for c in OFF_DESK_CHANNELS],
        "on_desk_span": len(ON_DESK_CHANNELS) + 1,
        "off_desk_span": len(OFF_DESK_CHANNELS) + 1,
        "desks": [(desk, report.columns(desk.figures)) for desk in report.desks],
        "total": report.columns(report.total),
    }
    return render(request, "reports/feedback.html", context)


@staff_required
def feedback_export(request, slug, fmt):
    _allowed(request)
    action = get_object_or_404(Action, slug=slug)
    report = feedback(action)
    if fmt == "pdf":
        response = HttpResponse(feedback_pdf(report), content_type="application/pdf")
    else:
        # The page's tables one after another, each under its name, a blank line between them.
        rows = [["feedback", action.slug, action.ua_number, action.title]]
        for name, header, table in feedback_tables(report):
            rows += [[], [name], header, *table]
        response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="uadesk-feedback-{action.slug}.{fmt}"'
    return response


def xlsx(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    with workbook(buffer) as book:
        sheet = book.add_worksheet("appeals")
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, EXPORT_HEADER, bold)
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, row)
        sheet.set_column(0, 0, 12)
        sheet.set_column(1, 2, 30)
    return buffer.getvalue()
