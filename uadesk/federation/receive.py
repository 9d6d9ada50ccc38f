"""The office desk taking a section desk's report on one action (docs/federation.md, Reports)."""

import datetime
import json
import logging
from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from uadesk.actions.models import CONTROL_RE, Action, Target
from uadesk.api.http import ID_MAX, ApiError, error_response
from uadesk.appeals.models import Appeal
from uadesk.network.models import ActedReport
from uadesk.staff import audit

from . import signing
from .models import SectionAccess, SectionCount, SectionReport, SeenNonce

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# A section's report has a line per channel and official: a few dozen. The bound keeps one request's
# work (and its rows) small whatever a broken or hostile desk sends.
MAX_LINES = 2000
COUNT_MAX = 2**31 - 1  # PositiveIntegerField's ceiling on every database
OFFICIAL_MAX = SectionCount._meta.get_field("official").max_length
# Appeals made on the section's desk go by its channels; a member's "I have acted" by the mailing's.
CHANNELS = {True: set(Appeal.Channel.values), False: set(ActedReport.Channel.values)}
# Every this many nonces, those too old to matter are forgotten: one DELETE now and then, not per request.
NONCE_SWEEP_EVERY = 50


@dataclass(frozen=True)
class Line:
    channel: str
    on_desk: bool
    target_id: int | None
    official: str
    count: int


@dataclass(frozen=True)
class Payload:
    action_id: int
    counted_at: datetime.datetime
    final: bool
    members_mailed: int
    signatures: int
    lines: list[Line]


@csrf_exempt
def report(request):
    try:
        return _report(request)
    except ApiError as error:
        return error_response(error.status, error.code, error.message, error.field, error.headers)
    except RequestDataTooBig:
        return error_response(413, "too_large", f"A report is at most {MAX_BODY_BYTES} bytes.")
    except Exception:
        # Still JSON: the section's desk logs the code and tries again on its next run.
        log.exception("a section desk's report failed on this desk")
        return error_response(500, "server_error", "Something went wrong on the desk; it is logged.")


def _report(request) -> JsonResponse:
    if request.method != "POST":
        raise ApiError(405, "method_not_allowed", "Send reports with POST.", headers={"Allow": "POST"})
    # Refused before the body is read: a large body costs the sender, not this desk.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"A report is at most {MAX_BODY_BYTES} bytes.")
    access = _access(request)
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"A report is at most {MAX_BODY_BYTES} bytes.")
    try:
        signed = signing.verify(
            request.headers.get(signing.HEADER, ""), signing.public_key(access.desk_key),
            method="POST", target=request.get_full_path(), body=body,
        )  # fmt: skip
    except signing.SignatureError as error:
        raise ApiError(401, "bad_signature", str(error), signing.HEADER) from None
    # Kept whatever becomes of the report: the same request sent again is refused even if this one is.
    nonce_record(access, signed.nonce)
    if request.content_type != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the report as application/json.")
    payload = payload_parse(body)
    action = Action.objects.public().filter(pk=payload.action_id).first()
    if action is None:
        raise ApiError(404, "unknown_action", "No published or closed action has this id here.", "action_id")
    _check_targets(action, payload.lines)
    report_store(access=access, action=action, payload=payload)
    response = JsonResponse({"received": True})
    response["Cache-Control"] = "no-store"
    return response


def _access(request) -> SectionAccess:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    access = SectionAccess.authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if access is None:
        raise ApiError(
            401, "unauthorized", "The token is unknown or revoked.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )  # fmt: skip
    if not access.scope_report:
        raise ApiError(403, "forbidden", "This token may not send reports.")
    return access


def nonce_record(access: SectionAccess, nonce: str) -> None:
    """Keeps the nonce, or refuses the request as one seen before (the database decides, so two copies
    of one request sent at once cannot both pass)."""
    try:
        with transaction.atomic():
            seen = SeenNonce.objects.create(access=access, nonce=nonce)
    except IntegrityError:
        raise ApiError(409, "replayed", "This request was received before.", signing.HEADER) from None
    if seen.pk % NONCE_SWEEP_EVERY == 0:
        nonces_forget()


def nonces_forget(now: datetime.datetime | None = None) -> int:
    """Forgets the nonces of signatures too old to be accepted anyway (with a margin for clocks)."""
    before = (now or timezone.now()) - datetime.timedelta(seconds=signing.MAX_AGE_SECONDS * 2)
    deleted, _ = SeenNonce.objects.filter(seen_at__lt=before).delete()
    return deleted


def _invalid(field: str | None, message: str) -> ApiError:
    return ApiError(400, "invalid", message, field)


def _field(data: dict, name: str, prefix: str = ""):
    if name not in data:
        raise _invalid(prefix + name, f"{prefix + name} is missing.")
    return data[name]


def _whole(value, field: str, low: int = 0, high: int = COUNT_MAX) -> int:
    # bool is an int to Python, not to JSON: true is no count.
    if type(value) is not int or not low <= value <= high:
        raise _invalid(field, f"{field} is a whole number from {low} to {high}.")
    return value


def _boolean(value, field: str) -> bool:
    if type(value) is not bool:
        raise _invalid(field, f"{field} is true or false.")
    return value


def _counted_at(value) -> datetime.datetime:
    moment = None
    if isinstance(value, str) and len(value) <= 64:
        try:
            moment = parse_datetime(value)
            # In UTC: PostgreSQL takes offsets up to 15:59 only, ISO 8601 up to 23:59.
            moment = moment.astimezone(datetime.UTC) if moment and moment.tzinfo else None
        except (ValueError, OverflowError):
            moment = None
    if moment is None:
        raise _invalid("counted_at", "counted_at is a date and time with its offset (ISO 8601).")
    # A report dated ahead would make every true one after it stale until that moment came.
    if moment > timezone.now() + datetime.timedelta(seconds=signing.MAX_AGE_SECONDS):
        raise _invalid("counted_at", "counted_at is later than now: the section desk's clock is wrong.")
    return moment


def _line(data, index: int) -> Line:
    prefix = f"counts.{index}."
    if not isinstance(data, dict):
        raise _invalid(f"counts.{index}", f"counts.{index} is an object.")
    on_desk = _boolean(_field(data, "on_desk", prefix), prefix + "on_desk")
    channel = _field(data, "channel", prefix)
    if not isinstance(channel, str) or channel not in CHANNELS[on_desk]:
        raise _invalid(
            prefix + "channel",
            f"{prefix}channel is one of {', '.join(sorted(CHANNELS[on_desk]))} for appeals made "
            f"{'on' if on_desk else 'off'} the desk.",
        )
    target_id = _field(data, "target_id", prefix)
    if target_id is not None:
        target_id = _whole(target_id, prefix + "target_id", 1, ID_MAX)
    official = _field(data, "official", prefix)
    if (
        not isinstance(official, str)
        or len(official) > OFFICIAL_MAX
        or CONTROL_RE.search(official)
        or not _encodable(official)
    ):
        raise _invalid(
            prefix + "official", f"{prefix}official is one line of at most {OFFICIAL_MAX} characters."
        )
    count = _whole(_field(data, "count", prefix), prefix + "count")
    return Line(channel, on_desk, target_id, official.strip(), count)


def _encodable(text: str) -> bool:
    # JSON lets a lone surrogate through ("\ud800"), which no database can store as text.
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def payload_parse(body: bytes) -> Payload:
    """The report as the section sent it, every field checked; 400 invalid naming the first wrong one."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # also a number of thousands of digits, and bytes not UTF-8
        raise _invalid(None, "The body is not JSON.") from None
    if not isinstance(data, dict):
        raise _invalid(None, "The body is a JSON object.")
    # Fields this desk does not know are let through: a section desk upgraded first may send more.
    counts = _field(data, "counts")
    if not isinstance(counts, list) or len(counts) > MAX_LINES:
        raise _invalid("counts", f"counts is a list of at most {MAX_LINES} lines.")
    return Payload(
        action_id=_whole(_field(data, "action_id"), "action_id", 1, ID_MAX),
        counted_at=_counted_at(_field(data, "counted_at")),
        final=_boolean(_field(data, "final"), "final"),
        members_mailed=_whole(_field(data, "members_mailed"), "members_mailed"),
        signatures=_whole(_field(data, "signatures"), "signatures"),
        lines=[_line(line, i) for i, line in enumerate(counts)],
    )


def _check_targets(action: Action, lines: list[Line]) -> None:
    """Each official named by id is one the feed gave for this action: a section's own are named by name."""
    ids = {line.target_id for line in lines if line.target_id is not None}
    known = set(
        Target.objects.filter(pk__in=ids, action=action, localisation__isnull=True).values_list(
            "pk", flat=True
        )
    )
    for index, line in enumerate(lines):
        if line.target_id is not None and line.target_id not in known:
            raise _invalid(f"counts.{index}.target_id", "This official is not one of this action's.")


def report_store(*, access: SectionAccess, action: Action, payload: Payload) -> SectionReport:
    """Replaces the section's report on the action with this one, or refuses it (409 stale) when the
    one kept was counted later. One transaction with the kept row locked: two copies of one report
    sent at once leave one report, counted once."""
    fields = {
        "counted_at": payload.counted_at,
        "received_at": timezone.now(),
        "final": payload.final,
        "members_mailed": payload.members_mailed,
        "signatures": payload.signatures,
    }
    with transaction.atomic():
        report, created = SectionReport.objects.select_for_update().get_or_create(
            section=access.section, action=action, defaults=fields
        )
        if not created:
            if report.counted_at > payload.counted_at:
                raise ApiError(
                    409, "stale", "A report counted later is kept already: this one changes nothing.",
                    "counted_at",
                )  # fmt: skip
            for name, value in fields.items():
                setattr(report, name, value)
            report.save()
            report.counts.all().delete()
        SectionCount.objects.bulk_create(
            SectionCount(
                report=report, channel=line.channel, on_desk=line.on_desk, target_id=line.target_id,
                official=line.official, count=line.count,
            )
            for line in payload.lines
        )  # fmt: skip
        audit.log(
            "uadesk.sectionreport.received", actor=str(access), via=audit.Via.API, obj=report,
            section=access.section.code, action=action.pk, appeals=sum(line.count for line in payload.lines),
            final=payload.final,
        )  # fmt: skip
    return report
