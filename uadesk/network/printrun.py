"""The print run of a mailing for the members who get cases by post: one PDF with their pages, sheets of
address labels, and the run marked posted. The bridge from a mailing to the print channel, which knows
no members."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from uadesk.actions.models import Action, ModelLetter, Target, local_today
from uadesk.actions.templatetags.actions import language_name
from uadesk.delivery.printing import Address, PrintError, labels_pdf
from uadesk.delivery.printing.run import PrintRun, RunCase, RunLetter, RunReader, RunTarget, run_pdf
from uadesk.languages import for_every_reader
from uadesk.staff import audit

from .members import network_name
from .models import Mailing, Member, Recipient
from .sending import acted_urls

# The papers staff choose from, by the names the staff page uses.
PAPERS = {"a4": "A4", "letter": "Letter"}


def print_run_recipients(
    mailing: Mailing, *, up_to: int | None = None, today: datetime.date | None = None
) -> QuerySet[Recipient]:
    """The recipients the run prints for, by postcode: those of the mailing who get it by post, not yet
    posted, and members still (one who left or paused since the mailing was planned is not printed);
    `up_to`, the highest recipient id of a run staff saw, keeps later ones for the next run."""
    today = today or local_today()
    recipients = mailing.recipients.filter(
        channel=Member.Channel.POST,
        status__in=[Recipient.Status.PLANNED, Recipient.Status.QUEUED],
        member__status=Member.Status.ACTIVE,
        member__postal_sealed__isnull=False,
    ).filter(Q(member__paused_until__isnull=True) | Q(member__paused_until__lt=today))
    if up_to is not None:
        recipients = recipients.filter(pk__lte=up_to)
    return recipients.select_related("member").order_by("member__postcode", "pk")


def _same_language(a: str, b: str) -> bool:
    # "zh" and "zh-Hans", "pt" and "pt-BR": a letter in either serves a reader of the other.
    return a.lower() == b.lower() or a.split("-")[0].lower() == b.split("-")[0].lower()


def _letter_in(letters: list[ModelLetter], codes: list[str]) -> ModelLetter | None:
    for code in codes:
        for letter in letters:
            if _same_language(letter.language, code):
                return letter
    return None


def _run_letter(letter: ModelLetter | None, heading: str) -> RunLetter | None:
    if letter is None:
        return None
    # UAs give salutations without the comma a Latin-script letter puts after them.
    salutation = letter.salutation.strip()
    if salutation and salutation[-1].isascii() and salutation[-1].isalnum():
        salutation += ","
    return RunLetter(letter.language, heading, salutation, letter.body, letter.closing)


def _target_address(target: Target) -> Address:
    return Address(
        name=target.display_name,
        lines=[line for line in [target.title, *target.address_lines] if line],
        native_lines=target.native_address_block,
        native_language=target.native_language or None,
    )


def _reference(action: Action) -> str:
    parts = [_("UA %(number)s") % {"number": action.ua_number}] if action.ua_number else []
    return " · ".join(parts + ([action.index_number] if action.index_number else []))


def _individual(person) -> str:
    name = f"{person.name} ({person.native_name})" if person.native_name else person.name
    return f"{name} — {person.get_status_display()}"


def print_run_case(mailing: Mailing, language: str, *, today: datetime.date) -> RunCase:
    """The case as a member reading `language` gets it on paper: the run's words in their language, the
    model letter in the officials' preferred language, and that letter in theirs where it is another."""
    action = mailing.action
    letters = action.letters_for(None)
    targets = [t for t in action.targets_for(None) if t.address_lines or t.native_address_lines]
    # Without a language prefix, the page opens in the reader's own choice (and a language the desk's
    # pages are not in, as a member's may be, gets no prefix that leads nowhere).
    url = settings.LINK_BASE_URL + for_every_reader(action.get_absolute_url())
    with translation.override(language):
        # The letter to post is in the language the officials read first, else the member's, else any.
        letter = _letter_in(letters, action.preferred_language_codes) or _letter_in(letters, [language])
        if letter is None and letters:
            letter = letters[0]
        own = _letter_in(letters, [language])
        translation_letter = own if own is not None and letter is not None and own.pk != letter.pk else None
        writing = action.is_open(today) and letter is not None and bool(targets)
        deadline = date_format(action.effective_deadline) if action.effective_deadline else ""
        intro = []
        if mailing.kind == Mailing.Kind.OUTCOME and mailing.outcome is not None:
            outcome = mailing.outcome
            intro.append(
                _("News of %(date)s: %(what)s. %(note)s")
                % {
                    "date": date_format(outcome.happened_on),
                    "what": outcome.get_kind_display(),
                    "note": outcome.public_note,
                }
            )
        if writing:
            intro.append(
                _(
                    "Please write to the officials below before %(deadline)s. The model letter is on the "
                    "next page, in %(language)s: sign it, add your name and address, and post it to them, "
                    "or write your own."
                )
                % {"deadline": deadline, "language": language_name(letter.language)}
            )
        else:
            intro.append(_("This case no longer asks for letters. Thank you to everyone who wrote."))
        translation_heading = (
            _("The same letter in %(language)s, for you to read: post the one in %(original)s.")
            % {
                "language": language_name(translation_letter.language),
                "original": language_name(letter.language),
            }
            if translation_letter
            else ""
        )
        case = action.text_in(language)
        return RunCase(
            language=language,
            kind=mailing.get_kind_display(),
            date=date_format(today),
            title=case.title.text,
            reference=_reference(action),
            deadline=deadline,
            intro="\n\n".join(intro),
            summary=case.summary.text,
            individuals=[_individual(p) for p in action.individuals.all() if p.is_named],
            asks=case.asks.lines,
            url=url,
            letter=_run_letter(letter, "") if writing else None,
            translation=_run_letter(translation_letter, translation_heading) if writing else None,
            targets=[
                RunTarget(
                    address=_target_address(t),
                    role="" if t.role == Target.Role.PRIMARY else str(t.get_role_display()),
                    salutation=t.salutation_for(letter),
                )
                for t in targets
            ]
            if writing
            else [],
            case_language=case.summary.language,
            words={
                "deadline": _("Deadline:"),
                "who": _("Who"),
                "why": _("Why"),
                "ask": _("What to ask"),
                "write_to": _("Write to"),
                "salutation": _("Salutation:"),
                "online": _("Online:"),
                "acted": _("Posted your letter? Scan this to tell us, so that we count it."),
                # The footer of each page, for whoever fills the envelopes: the member's place in the run.
                "footer": _("{number} of {total} · page {page} of {pages}"),
            },
        )


def _case_language(recipient_language: str) -> str:
    return recipient_language or settings.LANGUAGE_CODE


def _reader(recipient: Recipient) -> RunReader:
    member = recipient.member
    languages = member.language_list()
    return RunReader(
        lines=member.postal_address.splitlines(),
        case=_case_language(recipient.language),
        language=languages[0] if languages else "und",
        postcode=member.postcode,
        acted_url=acted_urls(recipient)["post"],
    )


def print_run_pdf(
    mailing: Mailing,
    *,
    paper: str = "a4",
    duplex: bool = False,
    up_to: int | None = None,
    today: datetime.date | None = None,
) -> bytes:
    """One PDF for the mailing's members by post, by postcode, a group of pages each: their address for a
    window envelope (DIN 5008 form B on A4 for DL envelopes, a #10 envelope on US Letter), the case in
    their language, the model letter, the officials' addresses. PrintError when there is nothing to print."""
    if paper.lower() not in PAPERS:
        raise PrintError(_("Unknown paper “%(paper)s”: use A4 or Letter.") % {"paper": paper})
    today = today or local_today()
    recipients = print_run_recipients(mailing, up_to=up_to, today=today)
    languages = sorted({_case_language(code) for code in recipients.values_list("language", flat=True)})
    if not languages:
        raise PrintError(_("No member of this mailing is waiting for it by post."))
    cases = {language: print_run_case(mailing, language, today=today) for language in languages}
    return run_pdf(
        PrintRun(
            paper=PAPERS[paper.lower()],
            date=today,
            organisation=network_name(mailing.section),
            sender=settings.NETWORK_RETURN_ADDRESS,
            cases=cases,
            # Streamed from the database: a member's address is unsealed only as their page is made.
            readers=(_reader(r) for r in recipients.iterator(chunk_size=500)),
            duplex=duplex,
        )
    )


def print_run_labels_pdf(
    mailing: Mailing,
    *,
    sheet: str = "A4-21",
    up_to: int | None = None,
    today: datetime.date | None = None,
) -> bytes:
    """The same members' addresses on sheets of labels, in the same order, for envelopes without a window."""
    addresses = []
    for recipient in print_run_recipients(mailing, up_to=up_to, today=today).iterator(chunk_size=500):
        name, *lines = recipient.member.postal_address.splitlines() or [""]
        addresses.append(Address(name=name, lines=lines))
    if not addresses:
        raise PrintError(_("No member of this mailing is waiting for it by post."))
    return labels_pdf(addresses, sheet=sheet)


def mailing_mark_posted(*, mailing: Mailing, user, up_to: int | None = None) -> int:
    """The run is in the post: its recipients are sent, and the mailing counts them. Safe to do twice
    (nothing left to mark the second time) and at once by two staff members (each recipient is marked
    by one conditional UPDATE). Returns how many were marked now."""
    with transaction.atomic():
        # The run's own selection (not yet posted) is the condition of the UPDATE.
        marked = print_run_recipients(mailing, up_to=up_to).order_by().update(status=Recipient.Status.SENT)
        if marked:
            Mailing.objects.filter(pk=mailing.pk).update(
                posted_at=timezone.now(), posted_count=F("posted_count") + marked
            )
            audit.log("uadesk.mailing.posted", user=user, obj=mailing, count=marked)
    mailing.refresh_from_db(fields=["posted_at", "posted_count"])
    return marked


def print_run_logged(*, mailing: Mailing, user, part: str, count: int) -> None:
    """Staff took members' addresses off the desk, on paper: the audit log keeps who, when, and how many."""
    audit.log("uadesk.mailing.printed", user=user, obj=mailing, part=part, count=count)
