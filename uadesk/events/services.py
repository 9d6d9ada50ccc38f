"""Work on events that spans models: the printed pack, the letters counted after the event, their counts."""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from uadesk.actions.models import Action, Target, local_today
from uadesk.actions.templatetags.actions import language_name
from uadesk.appeals.models import Appeal, appeals_counted
from uadesk.delivery.printing import SHEETS, Address, PrintError
from uadesk.languages import for_every_reader
from uadesk.staff import audit

from .models import Event, postal_targets

if TYPE_CHECKING:
    from uadesk.delivery.printing.pack import Pack


class TallyRefused(Exception):
    """A count the desk will not take, with the reason to show the organiser."""


def target_address(target: Target) -> Address:
    return Address(
        name=target.display_name,
        lines=[line for line in [target.title, *target.address_lines] if line],
        native_lines=target.native_address_block,
        native_language=target.native_language or None,
    )


def _salutation(text: str) -> str:
    # UAs give salutations without the comma a Latin-script letter puts after them.
    text = text.strip()
    return f"{text}," if text and text[-1].isascii() and text[-1].isalnum() else text


def _target_salutation(target: Target) -> str:
    return _salutation(target.salutation_for(None))


def _tally_name(target: Target) -> str:
    return f"{target.display_name}, {target.title}" if target.title else target.display_name


def _reference(action: Action) -> str:
    parts = [_("UA %(number)s") % {"number": action.ua_number}] if action.ua_number else []
    return " · ".join(parts + ([action.index_number] if action.index_number else []))


def _left_out(action: Action) -> str:
    """An action the pack leaves out, as the cover names it: with the outcomes that ended its call."""
    if action.ended_by_outcomes():
        return _("%(title)s (every person it was for has a final outcome: %(outcomes)s)") % {
            "title": action.title,
            "outcomes": action.resolution_summary(),
        }
    return action.title


def absolute_url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def event_pack_plan(*, event: Event, base_url: str, today: datetime.date | None = None) -> "Pack":
    """The pack as the print channel takes it, in the organiser's language; actions closed since the
    event was made are left out and named on the cover."""
    # The QR library and the pack's template load only when a pack is made.
    from uadesk.delivery.printing.pack import Pack, PackAction, PackLetter, PackPart, PackTarget

    today = today or local_today()
    codes = event.language_codes
    actions = list(event.actions.prefetch_related("targets", "letters", "individuals").order_by("title"))
    open_actions = [a for a in actions if a.is_open(today)]
    if not open_actions:
        raise PrintError(_("none of its actions is open any more, so there is nothing to print."))
    writers = event.expected_writers
    sheet = SHEETS[event.label_sheet]
    # The QR codes lead to the pages without a language prefix: each phone then shows the site in
    # its reader's choice.
    paths = {a.pk: for_every_reader(a.get_absolute_url()) for a in open_actions}
    tally_path = for_every_reader(reverse("events:tally", kwargs={"pk": event.pk}))
    pack_actions = []
    for action in open_actions:
        letters = sorted(
            (m for m in action.letters.all() if m.language in codes), key=lambda m: codes.index(m.language)
        )
        pack_actions.append(
            PackAction(
                title=action.title,
                reference=_reference(action),
                deadline=date_format(action.effective_deadline),
                url=absolute_url(base_url, paths[action.pk]),
                summary=action.summary,
                individuals=[
                    f"{p.name}{f' ({p.pronoun})' if p.pronoun else ''} — {p.get_status_display()}"
                    for p in action.individuals.all()
                    if p.is_named
                ],
                asks=action.ask_list,
                letters=[
                    PackLetter(
                        language=m.language,
                        heading=_("Model letter · %(language)s") % {"language": language_name(m.language)},
                        salutation=_salutation(m.salutation),
                        body=m.body,
                        closing=m.closing,
                    )
                    for m in letters
                ],
                targets=[
                    PackTarget(
                        address=target_address(t), salutation=_target_salutation(t), tally=_tally_name(t)
                    )
                    for t in postal_targets(action)
                ],
                notes=action.delivery_note_list,
                language=action.case_language,
            )
        )
    subtitle = " · ".join([date_format(event.date), *([event.place] if event.place else [])])
    words = {
        "cover_columns": [_("Part"), _("Pages"), _("How to print it")],
        "page": _("page {first}"),
        "pages": _("pages {first}–{last}"),
        "actions_heading": _("Actions in this pack"),
        "left_out": _("Left out, because they are no longer open:"),
        "deadline": _("Deadline:"),
        "scan": _("Scan to act online"),
        "who": _("Who"),
        "why": _("Why"),
        "ask": _("What to ask"),
        "write_to": _("Write to"),
        "notes": _("Posting advice"),
        "tally_title": _("Tally sheet"),
        "tally_help": _("Tick a box for each letter written to the official, then write the total."),
        "total": _("Total"),
    }
    parts = [
        PackPart("cases", _("Case sheets and model letters"),
                 _("A copy for each table: the case, what to ask, and the model letters to start from.")),
        PackPart("paper", _("Letter paper"),
                 _("One page per official, with the address and the salutation set. Print one copy for each "
                   "writer who writes to that official (up to %(writers)d), on one side of the paper.")
                 % {"writers": writers}),
        PackPart("labels", _("Address labels"),
                 _("%(writers)d labels per official, in the country's own script, on sheets of %(per_sheet)d "
                   "labels (%(sheet)s). Print at actual size (100%%, not “fit to page”); a test print on "
                   "plain paper held against a sheet shows whether they line up.")
                 % {"writers": writers, "per_sheet": sheet.per_sheet,
                    "sheet": event.get_label_sheet_display()}),
        PackPart("tally", _("Tally sheet"),
                 _("Tick a box for each letter; after the event, enter the totals at %(url)s")
                 % {"url": absolute_url(base_url, tally_path)}),
    ]  # fmt: skip
    return Pack(
        title=event.name,
        subtitle=subtitle,
        date=event.date,
        writers=writers,
        sheet=event.label_sheet,
        actions=pack_actions,
        parts=parts,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        letter_language=codes[0] if codes else "en",
        cover_lines=[
            _("%(writers)d writers expected, writing in %(languages)s.")
            % {"writers": writers, "languages": ", ".join(str(language_name(c)) for c in codes)}
        ],
        left_out=[_left_out(a) for a in actions if not a.is_open(today)],
        words=words,
    )


def event_pack(*, event: Event, base_url: str, today: datetime.date | None = None) -> bytes:
    """The event's printable pack, one PDF; PrintError when none of its actions is open any more."""
    from uadesk.delivery.printing.pack import pack_pdf

    return pack_pdf(event_pack_plan(event=event, base_url=base_url, today=today))


def event_tally_targets(event: Event) -> list[Target]:
    """The officials whose letters an event counts: every postal target of its actions, open or not."""
    actions = event.actions.prefetch_related("targets").order_by("title")
    return [t for action in actions for t in postal_targets(action)]


def event_tally(event: Event) -> dict[int, int]:
    """Letters counted for this event so far, by target id."""
    return dict(
        Appeal.objects.filter(event=event)
        .values_list("target")
        .annotate(n=Count("pk"))
        .values_list("target", "n")
    )


def event_log(*, event: Event, user, flag: int, message: str) -> None:
    """The audit log (and the event's History page, the admin's own log) see what organisers do outside
    the admin too."""
    from django.contrib.admin.models import ADDITION, LogEntry

    LogEntry.objects.log_actions(user.pk, [event], flag, message, single_object=True)
    verb = "added" if flag == ADDITION else "changed"
    audit.log(f"uadesk.event.{verb}", user=user, obj=event, note=message)


def event_create(*, form, user) -> Event:
    """Saves a valid event form as the user's event, and logs it."""
    from django.contrib.admin.models import ADDITION

    with transaction.atomic():
        event = form.save()
        event_log(event=event, user=user, flag=ADDITION, message="Created on the organiser's pages")
    return event


def event_tally_record(
    *, event: Event, letters: dict[int, int], user=None, today: datetime.date | None = None
) -> int:
    """Stores how many letters went to each target (by id) as posted appeals of the event. A number
    replaces the one counted before for that target, so entering the same tally twice changes
    nothing. Returns how many appeal rows were added or removed."""
    if not event.may_count(today):
        raise TallyRefused(_("Letters can be counted from the day of the event on."))
    targets = {t.pk: t for t in event_tally_targets(event)}
    if unknown := set(letters) - set(targets):
        raise TallyRefused(
            _("%(count)d officials are not in this event's actions.") % {"count": len(unknown)}
        )
    now = timezone.now()
    noon = timezone.make_aware(datetime.datetime.combine(event.date, datetime.time(12)))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Handwritten at the letter-writing event “%(event)s”") % {"event": event.name}
    changed = 0
    with transaction.atomic():
        # Two organisers saving the same tally at once take turns: the second sees the first's rows.
        Event.objects.select_for_update().filter(pk=event.pk).first()
        have = event_tally(event)
        for pk, wanted in letters.items():
            target, present = targets[pk], have.get(pk, 0)
            if wanted > present:
                counted = Appeal.objects.bulk_create(
                    Appeal(
                        action_id=target.action_id,
                        target=target,
                        event=event,
                        channel=Appeal.Channel.POST,
                        status=Appeal.Status.POSTED,
                        subject=subject[:300],
                        body="",
                        supporter_name="",
                        sent_at=min(noon, now),
                    )
                    for _row in range(wanted - present)
                )
                appeals_counted.send(sender=Appeal, appeal_ids=[a.pk for a in counted])
            elif wanted < present:
                surplus = Appeal.objects.filter(event=event, target=target).order_by("-pk")[
                    : present - wanted
                ]
                Appeal.objects.filter(pk__in=list(surplus.values_list("pk", flat=True))).delete()
            changed += abs(wanted - present)
        Event.objects.filter(pk=event.pk).update(tallied_at=now)
        if user is not None and changed:
            from django.contrib.admin.models import CHANGE

            counts = ", ".join(f"{targets[pk].display_name}: {n}" for pk, n in letters.items())
            event_log(event=event, user=user, flag=CHANGE, message=f"Letters counted ({counts})")
    return changed


def event_counts(*, action: Action) -> dict[str, dict[str, int]]:
    """An action's appeals that went out, apart by where they were written: online, or at an event
    (and at which one). appeal_counts() counts both alike."""
    counted = Appeal.objects.counted().filter(action=action)
    at_events = counted.filter(event__isnull=False)
    by_event = dict(at_events.values_list("event").annotate(n=Count("pk")).values_list("event", "n"))
    events = Event.objects.in_bulk(list(by_event))
    return {
        "origin": {"online": counted.filter(event__isnull=True).count(), "event": at_events.count()},
        "event": {str(events[pk]): n for pk, n in sorted(by_event.items())},
    }
