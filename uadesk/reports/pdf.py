"""PDF reports of counts (an action's one page, a UA's feedback), set by the print channel's Typst engine."""

import datetime

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from uadesk.delivery.printing import engine

from .feedback import NO_SECTION_YET, OFF_DESK_CHANNELS, ON_DESK_CHANNELS, Feedback, channel_name
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


def _fonts() -> list[str]:
    # Every script's Noto face is in the list whatever the language: a section's name or an official's
    # may be in any script. The language only decides which regional Han forms come first.
    try:
        return engine.Language(get_language() or "en").fonts
    except ValueError:
        return engine.Language("en").fonts


def feedback_pdf(report: Feedback) -> bytes:
    """The feedback report as the page shows it: the desks' table, then by country, channel and official."""

    def n(value: int) -> str:
        return f"{value:,}"

    def moment(value: datetime.datetime | None) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else _("now")

    def table(heading: str, header: list[str], rows: list[list], texts: int = 1) -> dict:
        return {
            "heading": heading, "groups": [], "header": header, "rows": rows, "foot": [],
            "widths": [*["fr"] * texts, *["auto"] * (len(header) - texts)],
            "align": [*["left"] * texts, *["right"] * (len(header) - texts)],
        }  # fmt: skip

    on, off = len(ON_DESK_CHANNELS) + 1, len(OFF_DESK_CHANNELS) + 1
    total = report.total
    desks = table(
        _("Desks"),
        [_("Desk"), _("Country"), *map(channel_name, ON_DESK_CHANNELS), _("All"),
         *map(channel_name, OFF_DESK_CHANNELS), _("All"), _("Appeals"), _("Signatures"), _("Members mailed"),
         _("Counted at"), _("Final")],
        [[desk.name, desk.country, *map(n, report.columns(desk.figures)), moment(desk.counted_at),
          _("yes") if desk.final else _("no")] for desk in report.desks],
        texts=2,
    )  # fmt: skip
    desks["widths"][1] = "auto"  # a country's code
    desks["align"][-2:] = ["left", "left"]
    desks["groups"] = [
        {"text": "", "span": 2}, {"text": _("On its desk"), "span": on},
        {"text": _("Off its desk (“I have acted”)"), "span": off}, {"text": "", "span": 5},
    ]  # fmt: skip
    desks["foot"] = [_("In all"), "", *map(n, report.columns(total)), "", ""]
    by = [_("On a desk"), _("Off a desk"), _("Appeals")]
    side_by_side = [
        table(
            _("By section country"),
            [_("Country"), *by, _("Signatures"), _("Members mailed")],
            [[f"{c.name} ({c.code})" if c.code else c.name, n(c.figures.on_desk_total),
              n(c.figures.off_desk_total), n(c.figures.appeals), n(c.figures.signatures),
              n(c.figures.members_mailed)] for c in report.by_country],
        ),
        table(
            _("By channel"),
            [_("Channel"), *by],
            [[c.name, n(c.on_desk), n(c.off_desk), n(c.appeals)] for c in report.by_channel],
        ),
    ]  # fmt: skip
    tables = [
        table(
            _("By official"),
            [_("Official"), _("Position"), *by],
            [[o.name or _("No official named"), o.title, n(o.on_desk), n(o.off_desk), n(o.appeals)]
             for o in report.by_official],
            texts=2,
        ),
    ]  # fmt: skip
    action = report.action
    numbers = [
        _("UA %(number)s") % {"number": action.ua_number} if action.ua_number else "",
        action.index_number,
    ]
    data = {
        "fonts": _fonts(),
        "title": action.title,
        "subtitle": " · ".join(part for part in [_("Feedback report"), *numbers] if part),
        "summary": [
            [_("Appeals in all"), n(total.appeals)],
            [_("On a desk"), n(total.on_desk_total)],
            [_("Off a desk"), n(total.off_desk_total)],
            [_("Signatures"), n(total.signatures)],
            [_("Members mailed"), n(total.members_mailed)],
            [
                _("Sections reported"),
                _("%(sections)d (%(final)d final)")
                % {"sections": len(report.sections), "final": report.final_sections},
            ],
        ],
        "note": "" if report.sections else str(NO_SECTION_YET),
        "desks": desks,
        "side_by_side": side_by_side,
        "tables": tables,
        "footer": _("uadesk · made %(when)s · counts only, no personal data")
        % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")},
    }
    return engine.render("feedback", data, fonts=engine.font_dir())
