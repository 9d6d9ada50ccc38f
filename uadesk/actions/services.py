"""Work on actions that spans several models: building an action from a parsed UA, closing at the deadline."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Q
from django.utils.text import slugify

from uadesk import pagecache
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import runs_kick

from .models import (
    CONTROL_RE,
    Action,
    CaseNewsStop,
    Individual,
    ModelLetter,
    Outcome,
    OutcomeNotice,
    Reminder,
    Target,
)
from .signals import outcome_recorded, target_redirected


def unique_slug(title: str) -> str:
    base = (slugify(title) or "action")[:100].strip("-")
    slug, n = base, 2
    while Action.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _fit[M: models.Model](instance: M) -> M:
    """Makes one-line text a document gave fit its column: a control character (a line break a PDF
    left in a title) becomes a space, as the models' rules want, and a long line is cut at the column's
    length, so no database refuses it."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField) and field.max_length:
            value = getattr(instance, field.attname)
            if isinstance(value, str) and CONTROL_RE.search(value):
                value = " ".join(CONTROL_RE.sub(" ", value).split())
                setattr(instance, field.attname, value)
            if isinstance(value, str) and len(value) > field.max_length:
                setattr(instance, field.attname, value[: field.max_length].rstrip())
    return instance


@transaction.atomic
def action_create_from_document(
    *,
    document: dict,
    source_text: str = "",
    source_sha256: str = "",
    letter_language: str = "en",
    doubts: Iterable[tuple[str, str]] = (),
    source_language: str = "",
) -> Action:
    """A draft action with individuals, targets and model letter from a parsed UA (the ingest contract).
    `doubts` are the parser's warnings with the path of the field each is about ("targets.1.salutation"),
    which the review page shows beside that field; `source_language` the document's language, if known."""
    kind = document.get("kind")
    action = Action(
        slug=unique_slug(document["title"]),
        title=document["title"],
        kind=kind if kind in Action.Kind.values else Action.Kind.URGENT_ACTION,
        ua_number=document.get("ua_number") or "",
        index_number=document.get("index_number") or "",
        issued_on=_date(document.get("issued_on")),
        summary=document.get("summary") or "",
        additional_information=document.get("additional_information") or "",
        asks="\n".join(document.get("asks") or []),
        preferred_languages=", ".join(document.get("preferred_languages") or []),
        deadline=_date(document.get("deadline")),
        delivery_notes="\n".join(document.get("delivery_notes") or []),
        previous_ua_urls="\n".join(document.get("previous_ua_urls") or []),
        source_text=source_text,
        source_sha256=source_sha256,
        ingest_warnings="\n".join(document.get("warnings") or []),
        ingest_doubts=[{"about": about, "text": text} for about, text in doubts],
        source_language=source_language or "",
    )
    _fit(action).save()
    Individual.objects.bulk_create(
        _fit(Individual(action=action, name=person["name"], pronoun=person.get("pronoun") or "", position=i))
        for i, person in enumerate(document.get("individuals") or [])
    )
    Target.objects.bulk_create(
        _fit(
            Target(
                action=action,
                position=i,
                role=t.get("role") or Target.Role.PRIMARY,
                honorific=t.get("honorific") or "",
                name=t["name"],
                title=t.get("title") or "",
                address="\n".join(t.get("address_lines") or []),
                native_address="\n".join(t.get("native_address_lines") or []),
                native_language=t.get("native_language") or "",
                country=t.get("country") or "",
                emails="\n".join(t.get("emails") or []),
                faxes="\n".join(t.get("faxes") or []),
                phones="\n".join(t.get("phones") or []),
                social="\n".join(t.get("social") or []),
                salutation=t.get("salutation") or "",
            )
        )
        for i, t in enumerate(document.get("targets") or [])
    )
    if letter := document.get("model_letter"):
        _fit(
            ModelLetter(
                action=action,
                language=letter_language,
                # Proposed to staff, who check it with the rest of the draft.
                subject=action.email_subject(),
                salutation=letter.get("salutation") or "",
                body=letter["body"],
                closing=letter.get("closing") or "",
            )
        ).save()
    return action


def actions_close_expired(*, today: datetime.date) -> int:
    """Closes every published action whose deadline (extension included) has passed; safe to run twice."""
    expired = Q(deadline_extended_to__lt=today) | Q(deadline_extended_to__isnull=True, deadline__lt=today)
    closed = Action.objects.filter(expired, status=Action.Status.PUBLISHED).update(
        status=Action.Status.CLOSED
    )
    if closed:
        pagecache.pages_changed()  # an update() sends no signal
    return closed


def outcome_notices_queue(outcome: Outcome) -> int:
    """Each supporter who follows the case gets a notice, made by the apps that know who follows it
    (their letters, their signatures: the outcome_recorded signal), and each notice its one message in
    the outbox. The outcome is new in this transaction, so nobody hears the news twice."""
    outcome_recorded.send(sender=Outcome, outcome=outcome)
    stopped = CaseNewsStop.objects.filter(action=outcome.action_id).values("supporter")
    OutcomeNotice.objects.filter(outcome=outcome, supporter__in=stopped).delete()
    notices = OutcomeNotice.objects.filter(outcome=outcome).values_list("pk", flat=True)
    Message.objects.bulk_create(Message(kind=Message.Kind.OUTCOME_NEWS, ref=pk) for pk in notices)
    transaction.on_commit(runs_kick)
    return len(notices)


def outcome_record(outcome: Outcome) -> Outcome:
    """Saves the news, brings the individual's status in line, and tells the case's followers, in one
    transaction."""
    with transaction.atomic():
        outcome.full_clean()
        outcome.save()
        status = Outcome.STATUS_OF_KIND.get(outcome.kind)
        if outcome.individual_id and status:
            Individual.objects.filter(pk=outcome.individual_id).update(status=status)
        outcome_notices_queue(outcome)
    return outcome


class RedirectRefused(Exception):
    """Saving would send the target's letters somewhere new, and whoever saves may not do that."""

    def __init__(self, field: str, addresses: list[str]):
        super().__init__(", ".join(addresses))
        self.field, self.addresses = field, addresses


@dataclass(frozen=True)
class TargetSaved:
    new_addresses: list[str]  # empty: letters go where they went
    held: int  # letters that were waiting for the target and now wait for staff


@transaction.atomic
def target_save(*, target: Target, may_redirect: bool = True) -> TargetSaved:
    """Saves a target; the one way the API and the staff desk do. A save that sends letters somewhere new
    (Target.redirects_letters) needs may_redirect, and holds the letters already waiting for the target in
    the same transaction: an address typed by a thief (a stolen token, an editor's password) receives
    nothing written before it until staff approve those letters in the review queue (the apps that
    hold letters do so on the target_redirected signal)."""
    # Locked, so two changes at once are each compared with what the other saved.
    saved = Target.objects.select_for_update().filter(pk=target.pk).first() if target.pk else None
    if not target.redirects_letters(saved):
        target.save()
        return TargetSaved(new_addresses=[], held=0)
    added = target.new_addresses(saved)
    if not may_redirect:
        raise RedirectRefused(target.new_addresses_field(saved), added)
    target.save()
    held = target_redirected.send(sender=Target, target=target, addresses=added)
    return TargetSaved(new_addresses=added, held=sum(count for _, count in held))


# -- The supporters' data this app holds: the reminders they asked for, the outcomes they were told -----


def supporter_data(supporter) -> dict:
    """Which actions the supporter asked to be reminded of, and which outcomes they were emailed."""
    reminders = Reminder.objects.filter(supporter=supporter).select_related("action").order_by("pk")
    notices = (
        OutcomeNotice.objects.filter(supporter=supporter).select_related("outcome__action").order_by("pk")
    )
    stops = CaseNewsStop.objects.filter(supporter=supporter).select_related("action").order_by("pk")
    reminded = Message.objects.sent_at_of(Message.Kind.REMINDER, [r.pk for r in reminders])
    told = Message.objects.sent_at_of(Message.Kind.OUTCOME_NEWS, [n.pk for n in notices])
    return {
        "reminders": [
            {"action": r.action.title, "asked_at": r.created_at, "sent_at": reminded.get(r.pk)}
            for r in reminders
        ],
        "case_news_stopped": [{"action": s.action.title, "at": s.created_at} for s in stops],
        "outcomes_told": [
            {
                "action": n.outcome.action.title,
                "outcome": n.outcome.get_kind_display(),
                "sent_at": told.get(n.pk),
            }
            for n in notices
        ],
    }


def forget_supporter(supporter) -> None:
    """Reminders and notices are nothing but a link between an action and the person: they go whole (the
    supporter row's delete would take them too, but erasure says so here, where the rows are)."""
    Reminder.objects.filter(supporter=supporter).delete()
    OutcomeNotice.objects.filter(supporter=supporter).delete()
    CaseNewsStop.objects.filter(supporter=supporter).delete()
