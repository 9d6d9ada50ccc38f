"""A section desk telling its office desk how its members acted on each of the office's actions."""

import datetime
import hashlib
import http.client
import json
import logging
import urllib.error
import urllib.request
from collections import Counter

from django.db.models import Count, Q
from django.utils import timezone

from uadesk.actions.models import Action
from uadesk.appeals.models import Appeal
from uadesk.network.models import ActedReport, Recipient
from uadesk.petitions.models import Signature

from . import keys, signing
from .models import FeedEntry

log = logging.getLogger(__name__)

REPORTS_PATH = "/federation/reports"
TIMEOUT_SECONDS = 30
# An open action is reported at least this often, changed or not: the office sees the section is alive.
REPORT_AGAIN_AFTER = datetime.timedelta(days=1)
ANSWER_MAX_BYTES = 64 * 1024


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would follow a redirect of a POST as a GET without the body; one is an error to see instead.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def entry_counts(entry: FeedEntry, *, now: datetime.datetime | None = None) -> dict:
    """The report on the entry's action, as docs/federation.md gives it: appeals made on this desk by
    channel and official, members' "I have acted" by channel, confirmed signatures, members mailed."""
    now = now or timezone.now()
    action = entry.action
    lines = Counter()
    appeals = (
        Appeal.objects.filter(action=action, status__in=Appeal.COUNTED)
        .values_list("channel", "target_id", "target__name", "target__localisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for channel, target_id, name, localisation_id, n in appeals:
        # An official the office gave goes by the office's id; the section's own (its embassy) by name.
        office_id = entry.target_ids.get(str(target_id)) if localisation_id is None else None
        lines[channel, True, office_id, "" if office_id is not None else name] += n
    acted = (
        ActedReport.objects.filter(action=action).values_list("channel").annotate(n=Count("pk")).order_by()
    )
    for channel, n in acted:
        lines[channel, False, None, ""] += n
    counts = [
        {"channel": channel, "on_desk": on_desk, "target_id": office_id, "official": official, "count": n}
        for (channel, on_desk, office_id, official), n in sorted(
            lines.items(), key=lambda item: (item[0][0], not item[0][1], item[0][2] or 0, item[0][3])
        )
    ]
    # On a desk that hosts several sections, each mails its own network: this section's members count,
    # and the desk's own network's (no section), never another section's.
    section = entry.subscription.section_id
    sent = Recipient.objects.filter(
        Q(mailing__section=section) | Q(mailing__section__isnull=True),
        mailing__action=action, status=Recipient.Status.SENT,
    )  # fmt: skip
    # A member mailed the case and then its update is one member mailed; an erased member's rows no
    # longer say who they were, so each counts.
    members_mailed = (
        sent.aggregate(n=Count("member", distinct=True))["n"] + sent.filter(member__isnull=True).count()
    )
    return {
        "action_id": entry.remote_id,
        "counted_at": now.astimezone(datetime.UTC).isoformat(),
        "final": action.is_closed(timezone.localdate(now)),
        "members_mailed": members_mailed,
        "signatures": Signature.objects.filter(petition__action=action, confirmed_at__isnull=False).count(),
        "counts": counts,
    }


def report_digest(payload: dict) -> str:
    """What the report says, whenever it was counted: the same counts give the same digest."""
    said = {name: value for name, value in payload.items() if name != "counted_at"}
    return hashlib.sha256(json.dumps(said, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _counted_anything(payload: dict) -> bool:
    return bool(
        payload["members_mailed"] or payload["signatures"] or any(c["count"] for c in payload["counts"])
    )


def _error_code(error: urllib.error.HTTPError) -> str:
    """The office's error code ("stale"), or "" when the answer is not the office's JSON."""
    try:
        return str(json.loads(error.read(ANSWER_MAX_BYTES))["error"]["code"])
    except (OSError, ValueError, TypeError, KeyError, http.client.HTTPException):
        return ""


def report_send(entry: FeedEntry, *, now: datetime.datetime | None = None) -> bool:
    """Sends the entry's report to its office desk; True once the office holds it (or a later one).
    A failure records nothing, so the next run sends it again."""
    subscription = entry.subscription
    payload = entry_counts(entry, now=now)
    body = json.dumps(payload).encode()
    origin = subscription.office_origin
    if not origin.startswith(("https://", "http://")):
        log.warning(
            "report on the office's action %s not sent: %s is no web address", entry.remote_id, origin
        )
        return False
    request = urllib.request.Request(  # noqa: S310 -- http or https only, just above
        origin + REPORTS_PATH,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {subscription.token}",
            signing.HEADER: signing.sign(keys.desk_key(), method="POST", target=REPORTS_PATH, body=body),
            "User-Agent": "uadesk",
        },
    )
    failure = None
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status, answer = response.status, response.read(ANSWER_MAX_BYTES)
        if status != 200 or json.loads(answer) != {"received": True}:
            failure = f"answered {status} without taking it"
    except urllib.error.HTTPError as error:
        try:
            code = _error_code(error)
        finally:
            error.close()
        # The office keeps a report counted later than this one: this one has nothing to add.
        if not (error.code == 409 and code == "stale"):
            failure = f"answered {error.code} {code}".rstrip()
    except (OSError, ValueError, http.client.HTTPException) as error:
        # URLError and timeouts are OSErrors; ValueError: an answer that is not JSON, or a bad address.
        failure = getattr(error, "reason", None) or error
    if failure is not None:
        log.warning(
            "report on the office's action %s to %s not sent (%s): it goes again on the next run",
            entry.remote_id, origin, failure,
        )  # fmt: skip
        return False
    sent_at = now or timezone.now()
    fields = {"reported_at": sent_at, "reported_digest": report_digest(payload)}
    # Final once; an action opened again (a later deadline) is reported final again when it closes.
    fields["final_reported_at"] = (entry.final_reported_at or sent_at) if payload["final"] else None
    FeedEntry.objects.filter(pk=entry.pk).update(**fields)
    for name, value in fields.items():
        setattr(entry, name, value)
    return True


def _due(entry: FeedEntry, now: datetime.datetime) -> bool:
    action, today = entry.action, timezone.localdate(now)
    if action.status == Action.Status.DRAFT and action.published_at is None:
        # Not yet given to this desk's members: nothing to tell the office unless something was counted
        # all the same (letters at an event), or a report went before.
        payload = entry_counts(entry, now=now)
        if not entry.reported_digest and not _counted_anything(payload):
            return False
        return report_digest(payload) != entry.reported_digest
    if action.is_closed(today) and entry.final_reported_at is None:
        return True
    if action.is_open(today) and (entry.reported_at is None or entry.reported_at <= now - REPORT_AGAIN_AFTER):
        return True
    return report_digest(entry_counts(entry, now=now)) != entry.reported_digest


def reports_due(now: datetime.datetime | None = None) -> list[FeedEntry]:
    """The entries whose report goes now: counts changed since the last one, the last one a day old while
    the action is open, or the action closed and its final report not yet sent."""
    now = now or timezone.now()
    entries = FeedEntry.objects.select_related("action", "subscription").order_by("pk")
    return [entry for entry in entries if _due(entry, now)]
