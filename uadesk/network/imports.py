"""Members brought in by staff from a CSV file. Every row is checked first and each bad one reported with
its line and reason (nothing is guessed: an unknown language, country or theme is a bad row); nothing is
imported until staff confirm, and then the good rows go in one transaction.

Staff import into their own section's network (the office's staff, into the office's). An imported
member is the member of that address in that network whatever its spelling: one already there is updated
(the columns the file has), never doubled. An address not to be mailed by that network (it left it,
bounced or complained) is never imported. Without prior consent an imported member waits for their own
confirmation, with a welcome email; with it, they are a member at once, the consent's origin kept."""

import csv
import io
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from uadesk.actions.models import Section, Theme
from uadesk.countries import country_codes
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import runs_kick
from uadesk.staff import audit
from uadesk.supporters import crypto
from uadesk.supporters.models import Supporter

from .members import page_language, reading_language
from .models import Member, Suppression, codes

IMPORT_MAX_BYTES = 10 * 1024 * 1024
COLUMNS = (
    "email", "languages", "channel", "postal_address", "postcode", "cases_per_month", "countries",
    "themes", "consent",
)  # fmt: skip
REQUIRED = ("email", "languages")
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}
# Rows looked up in the database at a time.
CHUNK = 500
# A checked file waits this long, sealed, for staff to confirm it.
STASH_SECONDS = 3600


class ImportFileError(Exception):
    """The whole file is refused (not CSV, not UTF-8, no columns): its message is for the form."""


@dataclass
class Row:
    """A good row: the address and its keyed hash, and the value of each column the file has."""

    line: int
    email: str
    email_hash: str
    values: dict


@dataclass
class BadRow:
    line: int
    reasons: list[str]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass
class Checked:
    text: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8” and try again.")
        ) from None
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV file: save it from your spreadsheet as “CSV UTF-8”."))
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    return text


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on; the delimiter is the first line's: comma, semicolon
    (spreadsheets in many languages) or tab."""
    first = text.splitlines()[0]
    delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(
                _("Line %(line)d cannot be read as CSV: %(error)s")
                % {"line": reader.line_num, "error": error}
            ) from None
        yield line, record
        line = reader.line_num + 1


def _header(record: list[str]) -> list[str]:
    columns = [name.strip().lower() for name in record]
    unknown = [name for name in columns if name not in COLUMNS]
    named = {"columns": ", ".join(COLUMNS)}
    if not set(REQUIRED) <= set(columns):
        raise ImportFileError(
            _("The first line must name the columns, “email” and “languages” at least, among: %(columns)s.")
            % named
        )
    if unknown:
        raise ImportFileError(
            _("Unknown column “%(name)s”. The columns are: %(columns)s.") % (named | {"name": unknown[0]})
        )
    if len(set(columns)) != len(columns):
        raise ImportFileError(_("A column is named twice on the first line."))
    return columns


class _Themes:
    """Themes by their code or their name, in any case: staff's list, never a guess."""

    def __init__(self):
        self.known = {}
        for theme in Theme.objects.all():
            self.known[theme.slug.casefold()] = theme
            self.known[theme.name.casefold()] = theme

    def get(self, name: str) -> Theme | None:
        return self.known.get(name.strip().casefold())


def _cell_codes(value: str) -> list[str]:
    return codes(value.replace(";", ","))


def _check_row(values: dict, themes: _Themes) -> tuple[dict, list[str]]:
    """The row's values as the member's fields take them, and what is wrong with it."""
    reasons, out = [], {}
    if "languages" in values:
        languages = []
        for code in _cell_codes(values["languages"]):
            if known := reading_language(code):
                languages.append(known)
            else:
                reasons.append(_("unknown language “%(code)s”") % {"code": code})
        if not languages and not reasons:
            reasons.append(_("no language"))
        out["languages"] = list(dict.fromkeys(languages))
    channel = values.get("channel", "").strip().lower() or Member.Channel.EMAIL
    if channel not in Member.Channel.values:
        reasons.append(_("unknown channel “%(value)s”: email or post") % {"value": values["channel"].strip()})
    out["channel"] = channel
    postal = values.get("postal_address", "").strip()
    if channel == Member.Channel.POST and not postal:
        reasons.append(_("cases by post need a postal address"))
    if len(postal) > 500:
        reasons.append(_("postal address too long"))
    out["postal_address"] = postal
    out["postcode"] = values.get("postcode", "").strip()
    if len(out["postcode"]) > 20:
        reasons.append(_("postcode too long"))
    if "cases_per_month" in values:
        cases = values["cases_per_month"].strip().lower()
        if cases in ("", "all", "every"):
            out["cases_per_month"] = None
        elif cases.isdigit() and 1 <= int(cases) <= 99:
            out["cases_per_month"] = int(cases)
        else:
            reasons.append(
                _("cases per month must be a whole number from 1 to 99, or empty for every Urgent Action")
            )
    if "countries" in values:
        countries = [code.upper() for code in _cell_codes(values["countries"])]
        reasons += [
            _("unknown country “%(code)s”") % {"code": c} for c in countries if c not in country_codes()
        ]
        out["countries"] = countries
    if "themes" in values:
        chosen = []
        for name in _cell_codes(values["themes"]):
            if (theme := themes.get(name)) is None:
                reasons.append(_("unknown theme “%(name)s”") % {"name": name})
            else:
                chosen.append(theme)
        out["themes"] = chosen
    consent = values.get("consent", "").strip().lower()
    if consent not in YES | NO:
        reasons.append(_("consent must be yes or no"))
    out["consent"] = consent in YES
    return out, reasons


def members_check(data: bytes, *, section: Section | None = None) -> Checked:
    """Every row of the file for the network of `section` (None: the office's), good or bad with its
    reasons; raises ImportFileError for a file that is not a CSV of members at all."""
    text = _text(data)
    records = _records(text)
    __, header = next(records)
    columns = _header(header)
    checked = Checked(text=text, columns=columns)
    themes, first_line = _Themes(), {}
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        reasons = []
        if len(record) > len(columns):
            reasons.append(_("more cells than columns"))
        values = dict(zip(columns, record, strict=False))
        email = values.get("email", "").strip()
        email_hash = ""
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            reasons.append(_("not an email address"))
        else:
            email_hash = crypto.email_hash(email)
            if email_hash in first_line:
                reasons.append(_("the same address as line %(line)d") % {"line": first_line[email_hash]})
            else:
                first_line[email_hash] = line
        parsed, row_reasons = _check_row(values, themes)
        reasons += row_reasons
        if reasons:
            checked.bad.append(BadRow(line, reasons))
        else:
            checked.rows.append(Row(line, email, email_hash, parsed))
    # Addresses never to import: those not to be mailed, and members who left.
    hashes = [row.email_hash for row in checked.rows]
    suppressed, left = _suppressed(hashes, section), _left(hashes, section)
    for row in [row for row in checked.rows if row.email_hash in suppressed | left]:
        checked.rows.remove(row)
        reason = (
            _("this address must not be mailed (it left the network, bounced or complained): never imported")
            if row.email_hash in suppressed
            else _("this member left the network: never imported again")
        )
        checked.bad.append(BadRow(row.line, [reason]))
    checked.bad.sort(key=lambda bad: bad.line)
    return checked


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _suppressed(hashes: list[str], section: Section | None) -> set[str]:
    found = set()
    for chunk in _chunks(hashes):
        rows = Suppression.against(section).filter(email_hash__in=chunk)
        found.update(rows.values_list("email_hash", flat=True))
    return found


def _left(hashes: list[str], section: Section | None) -> set[str]:
    found = set()
    for chunk in _chunks(hashes):
        left = Member.objects.filter(
            supporter__email_hash__in=chunk, section=section, status=Member.Status.LEFT
        )
        found.update(left.values_list("supporter__email_hash", flat=True))
    return found


@dataclass
class Imported:
    created: int = 0
    updated: int = 0
    active: int = 0
    pending: int = 0
    welcomed: int = 0
    skipped: int = 0


def _apply(member: Member, values: dict, columns: list[str]) -> None:
    """The file's columns onto the member; a column the file lacks leaves their choice as it is."""
    if "languages" in columns:
        member.languages = ", ".join(values["languages"])
    if "channel" in columns:
        member.channel = values["channel"]
    if "postal_address" in columns and values["postal_address"]:
        member.postal_address = values["postal_address"]
    if "postcode" in columns and values["postcode"]:
        member.postcode = values["postcode"]
    if "cases_per_month" in columns:
        member.most_per_30_days = values["cases_per_month"]
    if "countries" in columns:
        member.countries = ", ".join(values["countries"])
    if member.channel == Member.Channel.EMAIL:
        member.postal_address, member.postcode = "", ""  # kept only for cases by post


def members_import(*, checked: Checked, origin: str, user, section: Section | None = None) -> Imported:
    """The good rows of a checked file into the network of `section` (None: the office's), in one
    transaction, written to the audit log."""
    done, now, columns = Imported(), timezone.now(), checked.columns
    with transaction.atomic():
        hashes = [row.email_hash for row in checked.rows]
        # Again, in the transaction: an address that left or bounced since the check is not imported.
        never = _suppressed(hashes, section) | _left(hashes, section)
        rows = [row for row in checked.rows if row.email_hash not in never]
        done.skipped = len(checked.rows) - len(rows)
        supporters = {}
        for chunk in _chunks([row.email_hash for row in rows]):
            supporters.update({s.email_hash: s for s in Supporter.objects.filter(email_hash__in=chunk)})
        new = [
            Supporter(
                email_hash=row.email_hash,
                email_sealed=crypto.seal(row.email),
                language=page_language(row.values["languages"]),
            )
            for row in rows
            if row.email_hash not in supporters
        ]
        for supporter in Supporter.objects.bulk_create(new, batch_size=CHUNK):
            supporters[supporter.email_hash] = supporter
        members = {}
        for chunk in _chunks([s.pk for s in supporters.values()]):
            found = Member.objects.filter(supporter_id__in=chunk, section=section)
            members.update({m.supporter_id: m for m in found})
        to_create, to_update, themed = [], [], []
        for row in rows:
            supporter = supporters[row.email_hash]
            member = members.get(supporter.pk)
            if member is None:
                member = Member(
                    supporter=supporter, section=section, source=Member.Source.IMPORT,
                    status=Member.Status.PENDING, consent_origin=origin, joined_at=now,
                )  # fmt: skip
                to_create.append(member)
            else:
                to_update.append(member)
            _apply(member, row.values, columns)
            if row.values["consent"] and member.status == Member.Status.PENDING:
                member.status, member.confirmed_at, member.consent_origin = Member.Status.ACTIVE, now, origin
            if "themes" in columns:
                themed.append((member, row.values["themes"]))
        Member.objects.bulk_create(to_create, batch_size=CHUNK)
        Member.objects.bulk_update(
            to_update,
            ["languages", "channel", "postal_sealed", "postcode", "most_per_30_days", "countries", "status",
             "confirmed_at", "consent_origin"],
            batch_size=CHUNK,
        )  # fmt: skip
        through = Member.themes.through
        for chunk in _chunks([member.pk for member, _ in themed]):
            through.objects.filter(member_id__in=chunk).delete()
        through.objects.bulk_create(
            [
                through(member_id=member.pk, theme_id=theme.pk)
                for member, chosen in themed
                for theme in chosen
            ],
            batch_size=CHUNK,
        )
        # A welcome with their preferences and a button to confirm, once, to each one waiting.
        waiting = [m.pk for m in [*to_create, *to_update] if m.status == Member.Status.PENDING]
        welcomed = set()
        for chunk in _chunks(waiting):
            welcomed.update(
                Message.objects.of(Message.Kind.MEMBER_WELCOME, chunk).values_list("ref", flat=True)
            )
        welcomes = [Message(kind=Message.Kind.MEMBER_WELCOME, ref=pk) for pk in waiting if pk not in welcomed]
        Message.objects.bulk_create(welcomes, batch_size=CHUNK)
        if welcomes:
            transaction.on_commit(runs_kick)
        done.created, done.updated = len(to_create), len(to_update)
        done.pending = len(waiting)
        done.active = len(to_create) + len(to_update) - done.pending
        done.welcomed = len(welcomes)
        audit.log(
            "uadesk.member.imported", user=user, obj=Member, section=section.code if section else "",
            origin=origin, rows=len(checked.rows),
            bad_rows=len(checked.bad), created=done.created, updated=done.updated, active=done.active,
            pending=done.pending, welcomed=done.welcomed, skipped=done.skipped,
        )  # fmt: skip
    return done


def import_stash(*, text: str, origin: str, user) -> str:
    """Keeps a checked file, sealed, until staff confirm it (or for STASH_SECONDS); returns its key."""
    key = secrets.token_urlsafe(16)
    cache.set(
        f"network-import:{key}",
        {"user": user.pk, "sealed": crypto.seal(text), "origin": origin},
        STASH_SECONDS,
    )
    return key


def import_unstash(*, key: str, user) -> tuple[str, str] | None:
    """The text and consent origin of a checked file, once, for the staff member who checked it."""
    stash = cache.get(f"network-import:{key}") if key and len(key) < 64 else None
    if not stash or stash.get("user") != user.pk:
        return None
    cache.delete(f"network-import:{key}")
    return crypto.unseal(stash["sealed"]), stash["origin"]
