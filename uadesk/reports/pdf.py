"""The one-page PDF report of an action's counts, set by the print channel's Typst engine."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from uadesk.delivery.printing import engine

from .services import Report

ROWS_PER_SECTION = 12


def report_pdf(report: Report, *, title: str) -> bytes:
    def rows(pairs):
        shown = [[str(label), f"{n:,}"] for label, n in pairs[:ROWS_PER_SECTION]]
        if len(pairs) > ROWS_PER_SECTION:
            rest = sum(n for _, n in pairs[ROWS_PER_SECTION:])
            shown.append([_("%(count)d more") % {"count": len(pairs) - ROWS_PER_SECTION}, f"{rest:,}"])
        return shown

    sections = [
        (_("By action"), report.by_action),
        (_("By channel"), report.by_channel),
        (_("By target"), report.by_target),
        (_("By letter language"), report.by_language),
        (_("By supporter's country"), report.by_country),
        (_("Online or at an event"), report.by_source),
        (_("Members who said they wrote off the desk"), report.off_desk),
        (_("Waiting"), report.pending),
        (_("Not delivered"), report.failed),
    ]
    data = {
        "fonts": engine.Language("en").fonts,
        "title": title,
        "period": period_text(report.since, report.until),
        "total_label": _("Appeals sent"),
        "total": f"{report.total:,}",
        "sections": [{"heading": h, "rows": rows(pairs)} for h, pairs in sections if pairs],
        "footer": _("uadesk · made %(when)s · counts only, no personal data")
        % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")},
    }
    return engine.render("report", data, fonts=engine.font_dir())


def period_text(since: datetime.date | None, until: datetime.date | None) -> str:
    if since and until:
        return _("From %(since)s to %(until)s") % {"since": since.isoformat(), "until": until.isoformat()}
    if since:
        return _("Since %(since)s") % {"since": since.isoformat()}
    if until:
        return _("Until %(until)s") % {"until": until.isoformat()}
    return _("All time")
