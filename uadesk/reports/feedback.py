"""The feedback report of an Urgent Action: what each section reported back and this desk counted."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import Action
from uadesk.appeals.models import Appeal
from uadesk.countries import country_name
from uadesk.federation.models import SectionCount, SectionReport
from uadesk.network.models import ActedReport, Recipient
from uadesk.petitions.models import Signature

# The channels a section may report (federation/receive.py takes no other), in the order of every table.
CHANNELS = list(dict.fromkeys([*Appeal.Channel.values, *ActedReport.Channel.values]))
ON_DESK_CHANNELS = [c for c in CHANNELS if c in Appeal.Channel.values]
OFF_DESK_CHANNELS = [c for c in CHANNELS if c in ActedReport.Channel.values]
# Staff read these beside both sides: "email" is the desk's own send on a desk, a member's email off it.
CHANNEL_NAMES = {
    "email": _("Email"),
    "mailto": _("Email (own mail app)"),
    "fax": _("Fax"),
    "post": _("Post"),
}

NO_SECTION_YET = _("No section has reported on this action yet: the figures are this desk's own.")


def channel_name(channel: str) -> str:
    return str(CHANNEL_NAMES.get(channel, channel))


@dataclass
class Figures:
    """Appeals by channel made on a desk and off it (members' "I have acted"), signatures, members mailed."""

    on_desk: Counter = field(default_factory=Counter)
    off_desk: Counter = field(default_factory=Counter)
    signatures: int = 0
    members_mailed: int = 0

    @property
    def on_desk_total(self) -> int:
        return sum(self.on_desk.values())

    @property
    def off_desk_total(self) -> int:
        return sum(self.off_desk.values())

    @property
    def appeals(self) -> int:
        return self.on_desk_total + self.off_desk_total

    def add(self, other: "Figures") -> None:
        self.on_desk.update(other.on_desk)
        self.off_desk.update(other.off_desk)
        self.signatures += other.signatures
        self.members_mailed += other.members_mailed


@dataclass
class Desk:
    """One desk's line: a section as it last reported, or this desk, counted as the report is made."""

    name: str
    figures: Figures
    section_code: str = ""  # "" for this desk
    country: str = ""  # the section's ISO code, "" when it gave none
    counted_at: datetime.datetime | None = None
    received_at: datetime.datetime | None = None
    final: bool = False

    @property
    def is_this_desk(self) -> bool:
        return not self.section_code


@dataclass
class Country:
    code: str  # "" for this desk, and for sections that gave no country
    name: str
    desks: list[str]
    figures: Figures
    this_desk: bool = False


@dataclass
class Channel:
    channel: str
    name: str
    on_desk: int
    off_desk: int

    @property
    def appeals(self) -> int:
        return self.on_desk + self.off_desk


@dataclass
class Official:
    """An official written to: one of this desk's targets by id, or one a section named (its embassy)."""

    target_id: int | None
    name: str  # "" when no official was named: members' "I have acted" say only how they wrote
    title: str
    on_desk: int = 0
    off_desk: int = 0

    @property
    def appeals(self) -> int:
        return self.on_desk + self.off_desk


@dataclass
class Feedback:
    action: Action
    sections: list[Desk]
    this_desk: Desk
    total: Figures
    by_country: list[Country]
    by_channel: list[Channel]
    by_official: list[Official]

    @property
    def desks(self) -> list[Desk]:
        return [*self.sections, self.this_desk]

    @property
    def final_sections(self) -> int:
        return sum(1 for desk in self.sections if desk.final)

    def columns(self, figures: Figures) -> list[int]:
        """The figures as the desks' table has them: on the desk by channel and in all, off it likewise,
        the appeals in all, signatures and members mailed."""
        return [
            *(figures.on_desk[c] for c in ON_DESK_CHANNELS), figures.on_desk_total,
            *(figures.off_desk[c] for c in OFF_DESK_CHANNELS), figures.off_desk_total,
            figures.appeals, figures.signatures, figures.members_mailed,
        ]  # fmt: skip


def _own_figures(action_ids: list[int]) -> tuple[dict[int, Figures], dict[int, list[tuple]]]:
    """This desk's figures per action, and its counted appeals per action by channel and target: as a
    section desk reports them (federation/reporting.py), so the lines add up alike."""
    figures: dict[int, Figures] = defaultdict(Figures)
    by_target: dict[int, list[tuple]] = defaultdict(list)
    appeals = (
        Appeal.objects.filter(action_id__in=action_ids, status__in=Appeal.COUNTED)
        .values_list("action_id", "channel", "target_id", "target__name", "target__title")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for action_id, channel, target_id, name, title, n in appeals:
        figures[action_id].on_desk[channel] += n
        by_target[action_id].append((target_id, name, title, n))
    acted = (
        ActedReport.objects.filter(action_id__in=action_ids)
        .values_list("action_id", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for action_id, channel, n in acted:
        figures[action_id].off_desk[channel] += n
    signatures = (
        Signature.objects.filter(petition__action_id__in=action_ids, confirmed_at__isnull=False)
        .values_list("petition__action_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for action_id, n in signatures:
        figures[action_id].signatures = n
    # A member mailed the case and then its update is one member mailed; an erased member's rows no
    # longer say who they were, so each counts.
    mailed = (
        Recipient.objects.filter(mailing__action_id__in=action_ids, status=Recipient.Status.SENT)
        .values_list("mailing__action_id")
        .annotate(members=Count("member", distinct=True), erased=Count("pk", filter=Q(member__isnull=True)))
        .order_by()
    )
    for action_id, members, erased in mailed:
        figures[action_id].members_mailed = members + erased
    return figures, by_target


def feedback(action: Action) -> Feedback:
    """Each section's last report on the action, this desk's own counts, and the whole by section
    country, channel and official: the same few grouped queries however many sections reported."""
    reports = list(
        SectionReport.objects.filter(action=action).select_related("section").order_by("section__name", "pk")
    )
    lines = (
        SectionCount.objects.filter(report__action=action)
        .values_list(
            "report_id", "channel", "on_desk", "target_id", "target__name", "target__title", "official"
        )
        .annotate(n=Sum("count"))
        .order_by()
    )
    own, own_targets = _own_figures([action.pk])
    figures = {
        report.pk: Figures(signatures=report.signatures, members_mailed=report.members_mailed)
        for report in reports
    }
    officials: dict[tuple, Official] = {}

    def official(target_id, name, title, official_text) -> Official:
        # One of this desk's targets whoever wrote to it; a named official by the name the section gave.
        key = ("target", target_id) if target_id is not None else ("named", official_text)
        if key not in officials:
            shown = (name or "", title or "") if target_id is not None else (official_text, "")
            officials[key] = Official(target_id, *shown)
        return officials[key]

    for report_id, channel, on_desk, target_id, name, title, official_text, n in lines:
        (figures[report_id].on_desk if on_desk else figures[report_id].off_desk)[channel] += n
        row = official(target_id, name, title, official_text)
        if on_desk:
            row.on_desk += n
        else:
            row.off_desk += n
    for target_id, name, title, n in own_targets[action.pk]:
        official(target_id, name, title, "").on_desk += n
    # Members' "I have acted" name no official.
    official(None, "", "", "").off_desk += own[action.pk].off_desk_total

    sections = [
        Desk(
            name=report.section.name,
            figures=figures[report.pk],
            section_code=report.section.code,
            country=report.section.country,
            counted_at=report.counted_at,
            received_at=report.received_at,
            final=report.final,
        )
        for report in reports
    ]
    this_desk = Desk(name=str(_("This desk")), figures=own[action.pk], final=action.is_closed())
    total = Figures()
    for desk in [*sections, this_desk]:
        total.add(desk.figures)
    return Feedback(
        action=action,
        sections=sections,
        this_desk=this_desk,
        total=total,
        by_country=_by_country(sections, this_desk),
        by_channel=[
            Channel(c, channel_name(c), total.on_desk[c], total.off_desk[c])
            for c in [*CHANNELS, *sorted((set(total.on_desk) | set(total.off_desk)) - set(CHANNELS))]
            if total.on_desk[c] or total.off_desk[c]
        ],
        by_official=sorted(
            (row for row in officials.values() if row.appeals),
            key=lambda row: (not row.name, -row.appeals, row.name.casefold(), row.title),
        ),
    )


def _by_country(sections: list[Desk], this_desk: Desk) -> list[Country]:
    countries: dict[str, Country] = {}
    language = get_language() or "en"  # the reader's: the page, the CSV and the PDF say the names in it
    for desk in sections:
        name = country_name(desk.country, language) or desk.country or str(_("No country given"))
        country = countries.setdefault(desk.country, Country(desk.country, name, [], Figures()))
        country.desks.append(desk.name)
        country.figures.add(desk.figures)
    found = sorted(countries.values(), key=lambda c: (not c.code, -c.figures.appeals, c.name.casefold()))
    # This desk's own supporters live anywhere: its line stands apart, so the countries add up to the total.
    own = Figures()
    own.add(this_desk.figures)
    return [*found, Country("", this_desk.name, [this_desk.name], own, this_desk=True)]


@dataclass
class Summary:
    """One UA in the list of those sections reported on: its totals at a glance."""

    action: Action
    sections: int
    final_sections: int
    last_received: datetime.datetime
    sections_appeals: int = 0
    own_appeals: int = 0
    signatures: int = 0
    members_mailed: int = 0

    @property
    def appeals(self) -> int:
        return self.sections_appeals + self.own_appeals


def actions_with_reports():
    """The actions at least one section reported on, the latest report first."""
    return (
        Action.objects.annotate(last_received=Max("section_reports__received_at"))
        .filter(last_received__isnull=False)
        .order_by("-last_received", "-pk")
    )


def feedback_summaries(actions: list[Action]) -> list[Summary]:
    """Each action's totals, sections' and this desk's: a handful of grouped queries for the whole list."""
    ids = [action.pk for action in actions]
    grouped = (
        SectionReport.objects.filter(action_id__in=ids)
        .values_list("action_id")
        .annotate(
            sections=Count("pk"),
            final=Count("pk", filter=Q(final=True)),
            signatures=Sum("signatures"),
            mailed=Sum("members_mailed"),
            last=Max("received_at"),
        )
        .order_by()
    )
    reported = {row[0]: row[1:] for row in grouped}
    appeals = dict(
        SectionCount.objects.filter(report__action_id__in=ids)
        .values_list("report__action_id")
        .annotate(n=Sum("count"))
        .order_by()
    )
    own, _targets = _own_figures(ids)
    summaries = []
    for action in actions:
        sections, final, signatures, mailed, last = reported.get(action.pk, (0, 0, 0, 0, None))
        mine = own.get(action.pk, Figures())
        summaries.append(
            Summary(
                action=action,
                sections=sections,
                final_sections=final,
                last_received=last,
                sections_appeals=appeals.get(action.pk, 0),
                own_appeals=mine.appeals,
                signatures=signatures + mine.signatures,
                members_mailed=mailed + mine.members_mailed,
            )
        )
    return summaries


# The CSV's headers: names for a program reading it, as the appeals export has (views.EXPORT_HEADER).
DESKS_HEADER = [
    "desk", "section", "country", *(f"on_desk_{c}" for c in ON_DESK_CHANNELS), "on_desk",
    *(f"off_desk_{c}" for c in OFF_DESK_CHANNELS), "off_desk", "appeals", "signatures", "members_mailed",
    "counted_at", "final",
]  # fmt: skip
FIGURES_HEADER = ["on_desk", "off_desk", "appeals"]


def feedback_tables(report: Feedback) -> list[tuple[str, list[str], list[list]]]:
    """The report as tables (name, header, rows) for the CSV, the same figures as the page's: the
    desks with the total last, then by country, by channel and by official."""

    def moment(value: datetime.datetime | None) -> str:
        return timezone.localtime(value).isoformat(timespec="minutes") if value else ""

    desks = [
        [desk.name, desk.section_code, desk.country, *report.columns(desk.figures), moment(desk.counted_at),
         "yes" if desk.final else "no"]
        for desk in report.desks
    ]  # fmt: skip
    desks.append([str(_("In all")), "", "", *report.columns(report.total), "", ""])
    countries = [
        [c.code, c.name, "; ".join(c.desks), c.figures.on_desk_total, c.figures.off_desk_total,
         c.figures.appeals, c.figures.signatures, c.figures.members_mailed]
        for c in report.by_country
    ]  # fmt: skip
    channels = [[c.channel, c.name, c.on_desk, c.off_desk, c.appeals] for c in report.by_channel]
    officials = [
        [o.target_id or "", o.name or str(_("No official named")), o.title, o.on_desk, o.off_desk, o.appeals]
        for o in report.by_official
    ]
    return [
        ("desks", DESKS_HEADER, desks),
        (
            "countries",
            ["country", "name", "desks", *FIGURES_HEADER, "signatures", "members_mailed"],
            countries,
        ),
        ("channels", ["channel", "name", *FIGURES_HEADER], channels),
        ("officials", ["target_id", "official", "title", *FIGURES_HEADER], officials),
    ]
