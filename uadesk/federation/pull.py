"""A section desk pulling its office desk's feed: a new action becomes a draft with the section's
localisation, a change is taken onto it, an outcome added once (docs/federation.md)."""

import datetime
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from uadesk.actions.models import Action, Individual, Localisation, ModelLetter, Outcome, Target, Translation
from uadesk.actions.services import _fit, action_create_from_document
from uadesk.api.serializers import document_validate

from . import signing
from .models import FeedEntry, FeedOutcome, Subscription

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 30
MAX_PAGE_BYTES = 20 * 1024 * 1024
MAX_PAGES = 1000  # a feed that never says "no more" is not followed for ever


class PullError(Exception):
    """The office desk did not answer, refused, or sent what this desk cannot trust or read."""


@dataclass
class PullResult:
    created: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    outcomes: int = 0
    pages: int = 0


def _page_url(subscription: Subscription, since: str) -> str:
    return subscription.feed_url + ("?" + urlencode({"since": since}) if since else "")


def feed_get(subscription: Subscription, since: str) -> dict:
    """One page of the feed, its signature checked against the office key this desk was given."""
    url = _page_url(subscription, since)
    nonce = signing.new_nonce()
    request = urllib.request.Request(  # noqa: S310 -- the address staff gave, checked http(s) by the form
        url,
        headers={"Authorization": f"Bearer {subscription.token}", "Uadesk-Nonce": nonce,
                 "Accept": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            body, headers = answer.read(MAX_PAGE_BYTES + 1), answer.headers
    except urllib.error.HTTPError as error:
        raise PullError(f"the office desk refused: {error.code} {_error_text(error.read(10_000))}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PullError(f"the office desk did not answer: {reason}") from None
    if len(body) > MAX_PAGE_BYTES:
        raise PullError("the feed's page is larger than 20 MB")
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        office_key = signing.public_key(subscription.office_key)
        signing.verify(headers.get(signing.HEADER, ""), office_key, method="ANSWER", target=target, body=body,
                       nonce=nonce)  # fmt: skip
    except signing.SignatureError as error:
        raise PullError(f"the feed's answer is not signed by the office desk's key: {error}") from None
    try:
        page = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PullError("the feed's answer is not JSON") from None
    shape = {"items": list, "more": bool, "next": str, "cursor": str}
    if not isinstance(page, dict) or not all(isinstance(page.get(key), kind) for key, kind in shape.items()):
        raise PullError("the feed's answer lacks items, next, cursor or more")
    return page


def _error_text(body: bytes) -> str:
    try:
        return str(json.loads(body)["error"]["message"])[:200]
    except (ValueError, KeyError, TypeError):
        return ""


def subscription_pull(subscription: Subscription) -> PullResult:
    """Every change since the subscription's cursor, page by page; the cursor moves with each page
    taken, so a pull cut short starts again where it stopped. Raises PullError, with the reason kept on
    the subscription for staff."""
    result = PullResult()
    since = subscription.cursor
    try:
        for _ in range(MAX_PAGES):
            page = feed_get(subscription, since)
            result.pages += 1
            with transaction.atomic():
                # One pull of a subscription at a time (the worker's every five minutes, staff's command):
                # a second waits here, then finds what the first made instead of making it again.
                Subscription.objects.select_for_update().filter(pk=subscription.pk).first()
                for item in page["items"]:
                    entry_apply(subscription, item, result)
                cursor = page["cursor"] if not page["more"] else page["next"]
                Subscription.objects.filter(pk=subscription.pk).update(cursor=cursor)
            since = page["next"]
            if not page["more"]:
                break
    except PullError as error:
        Subscription.objects.filter(pk=subscription.pk).update(
            last_error=str(error)[:300], failures=subscription.failures + 1
        )
        subscription.failures += 1
        raise
    Subscription.objects.filter(pk=subscription.pk).update(
        pulled_at=timezone.now(), last_error="", failures=0
    )
    subscription.cursor = since if not page["items"] else cursor
    return result


# Taking one item --------------------------------------------------------------------------------------


def _checked(item) -> tuple[int, datetime.datetime, dict]:
    if not isinstance(item, dict):
        raise PullError("an item of the feed is not an object")
    remote_id, updated_at = item.get("id"), parse_datetime(str(item.get("updated_at") or ""))
    if not isinstance(remote_id, int) or remote_id < 1 or updated_at is None:
        raise PullError("an item of the feed lacks its id or updated_at")
    document = item.get("document")
    try:
        document_validate(document)
    except Exception as error:  # the API's ApiError or jsonschema's: either way the item is unreadable
        raise PullError(
            f"item {remote_id}: its document does not follow the ingest contract ({error})"
        ) from None
    for key in ("target_ids", "translations", "letters", "outcomes"):
        if not isinstance(item.get(key), list):
            raise PullError(f"item {remote_id}: {key} is not a list")
    if len(item["target_ids"]) != len(document.get("targets") or []):
        raise PullError(f"item {remote_id}: target_ids does not match its targets")
    return remote_id, updated_at, document


def entry_apply(subscription: Subscription, item: dict, result: PullResult) -> FeedEntry:
    """The item taken onto this desk: made if new, changed if the office changed it since, its new
    outcomes added; an item already held as it is changes nothing."""
    remote_id, updated_at, document = _checked(item)
    entry = (
        FeedEntry.objects.select_for_update().filter(subscription=subscription, remote_id=remote_id).first()
    )
    if entry is None:
        entry = _entry_create(subscription, item, remote_id, updated_at, document)
        result.created.append(entry.action_id)
    elif updated_at > entry.remote_updated_at:
        _entry_change(entry, item, updated_at, document)
        result.changed.append(entry.action_id)
    else:
        return entry
    result.outcomes += _outcomes_take(entry, item["outcomes"])
    return entry


def _entry_create(subscription, item, remote_id, updated_at, document) -> FeedEntry:
    letters = [m for m in item["letters"] if isinstance(m, dict) and m.get("body")]
    action = action_create_from_document(
        document=document, letter_language=str(letters[0].get("language") or "en") if letters else "en"
    )
    earlier = FeedEntry.objects.filter(
        subscription=subscription, remote_id=item.get("earlier_id") or 0
    ).first()
    if earlier is not None:
        Action.objects.filter(pk=action.pk).update(earlier=earlier.action_id)
    _extension_put(action, item)
    Action.objects.filter(pk=action.pk).update(
        deadline_extended_to=action.deadline_extended_to,
        deadline_extension_reason=action.deadline_extension_reason,
    )
    targets = list(Target.objects.filter(action=action).order_by("position", "pk"))
    target_ids = {str(t.pk): remote for t, remote in zip(targets, item["target_ids"], strict=True)}
    for letter in letters[1:]:
        _letter_put(action, letter)
    _translations_put(action, item["translations"], target_ids)
    Localisation.objects.create(action=action, section=subscription.section)
    return FeedEntry.objects.create(
        subscription=subscription, remote_id=remote_id, action=action, document=item,
        remote_updated_at=updated_at, target_ids=target_ids,
    )  # fmt: skip


# What the office writes on the section's desk; the section adds its own in its localisation.
OFFICE_FIELDS = {
    "title": "title", "summary": "summary", "additional_information": "additional_information",
    "ua_number": "ua_number", "index_number": "index_number",
}  # fmt: skip


def _entry_change(entry: FeedEntry, item: dict, updated_at, document: dict) -> None:
    before = entry.document
    changed = sorted(
        {key for key in document if document.get(key) != (before.get("document") or {}).get(key)}
        | {
            key
            for key in ("translations", "letters", "status", "deadline_extended_to")
            if item.get(key) != before.get(key)
        }
    )
    action = entry.action
    for key, name in OFFICE_FIELDS.items():
        setattr(action, name, document.get(key) or "")
    action.issued_on = parse_date(document.get("issued_on") or "") or action.issued_on
    action.deadline = parse_date(document.get("deadline") or "")
    _extension_put(action, item)
    action.asks = "\n".join(document.get("asks") or [])
    action.delivery_notes = "\n".join(document.get("delivery_notes") or [])
    action.preferred_languages = ", ".join(document.get("preferred_languages") or [])
    action.previous_ua_urls = "\n".join(document.get("previous_ua_urls") or [])
    # The office closing a case closes it here; the section's own later deadline does not reopen it.
    if item.get("status") == Action.Status.CLOSED and action.status == Action.Status.PUBLISHED:
        action.status = Action.Status.CLOSED
    _fit(action).save()
    target_ids = dict(entry.target_ids)
    local_of = {remote: int(local) for local, remote in target_ids.items()}
    for position, (remote, data) in enumerate(
        zip(item["target_ids"], document.get("targets") or [], strict=True)
    ):
        target = Target.objects.filter(pk=local_of.get(remote), action=action).first() or Target(
            action=action
        )
        _target_fill(target, data, position)
        _fit(target).save()
        target_ids[str(target.pk)] = remote
    gone = set(target_ids.values()) - set(item["target_ids"])
    for local, remote in list(target_ids.items()):
        # An official the office removed stops receiving letters here; one already written to is kept
        # for the counts, with its letters.
        if remote in gone and not Target.objects.filter(pk=local).filter(appeals__isnull=False).exists():
            Target.objects.filter(pk=local).delete()
            del target_ids[local]
    for letter in item["letters"]:
        if isinstance(letter, dict) and letter.get("body"):
            _letter_put(action, letter)
    _translations_put(action, item["translations"], target_ids)
    entry.document, entry.remote_updated_at, entry.target_ids = item, updated_at, target_ids
    entry.changed_fields = sorted(set(entry.changed_fields) | set(changed))
    entry.pulled_at = timezone.now()
    entry.save()


def _extension_put(action: Action, item: dict) -> None:
    """The office's extension of the deadline, if it gave one that the database can hold (later than
    the deadline); none clears it, as the office cleared it."""
    try:
        until = parse_date(_text(item.get("deadline_extended_to")))
    except ValueError:  # well formed, but no day of the calendar
        until = None
    if until is None or action.deadline is None or until <= action.deadline:
        action.deadline_extended_to, action.deadline_extension_reason = None, ""
        return
    action.deadline_extended_to = until
    action.deadline_extension_reason = _text(item.get("deadline_extension_reason"), 300)


def _target_fill(target: Target, data: dict, position: int) -> None:
    target.position = position
    target.role = data.get("role") or Target.Role.PRIMARY
    target.honorific, target.name, target.title = (
        data.get("honorific") or "",
        data["name"],
        data.get("title") or "",
    )
    target.address = "\n".join(data.get("address_lines") or [])
    target.native_address = "\n".join(data.get("native_address_lines") or [])
    target.native_language, target.country = data.get("native_language") or "", data.get("country") or ""
    target.emails = "\n".join(data.get("emails") or [])
    target.faxes = "\n".join(data.get("faxes") or [])
    target.phones = "\n".join(data.get("phones") or [])
    target.social = "\n".join(data.get("social") or [])
    target.salutation = data.get("salutation") or ""


def _text(value, limit: int | None = None) -> str:
    text = value if isinstance(value, str) else ""
    return text[:limit] if limit else text


def _letter_put(action: Action, letter: dict) -> None:
    language = _text(letter.get("language"), 20) or "en"
    found = ModelLetter.objects.filter(action=action, localisation__isnull=True, language=language).first()
    found = found or ModelLetter(action=action, language=language)
    found.subject = _text(letter.get("subject"), 300)
    found.salutation = _text(letter.get("salutation"), 200)
    found.body, found.closing = _text(letter.get("body")), _text(letter.get("closing"), 200)
    _fit(found).save()


def _translations_put(action: Action, translations: list, target_ids: dict[str, int]) -> None:
    """The office's translations, their officials re-keyed from the office's target ids to this desk's."""
    local_of = {remote: local for local, remote in target_ids.items()}
    kept = []
    for data in translations:
        if not isinstance(data, dict) or not _text(data.get("language")):
            continue
        language = _text(data["language"], 20)
        translation = Translation.objects.filter(
            action=action, localisation__isnull=True, language=language
        ).first()
        translation = translation or Translation(action=action, language=language)
        for part in Translation.PARTS:
            setattr(translation, part, _text(data.get(part)))
        officials = data.get("officials") if isinstance(data.get("officials"), dict) else {}
        translation.officials = {
            str(local_of[int(remote)]): value
            for remote, value in officials.items()
            if str(remote).isdigit() and int(remote) in local_of and isinstance(value, dict)
        }
        _fit(translation).save()
        kept.append(translation.pk)
    Translation.objects.filter(action=action, localisation__isnull=True).exclude(pk__in=kept).delete()


def _outcomes_take(entry: FeedEntry, outcomes: list) -> int:
    taken = set(entry.outcomes.values_list("remote_id", flat=True))
    individuals = {i.name: i for i in Individual.objects.filter(action=entry.action)}
    added = 0
    for data in outcomes:
        if not isinstance(data, dict) or not isinstance(data.get("id"), int) or data["id"] in taken:
            continue
        happened_on = parse_date(_text(data.get("happened_on"))) if _text(data.get("happened_on")) else None
        kind = _text(data.get("kind"))
        if happened_on is None or kind not in Outcome.Kind.values:
            raise PullError(f"item {entry.remote_id}: outcome {data['id']} lacks its kind or date")
        outcome = Outcome.objects.create(
            action=entry.action, individual=individuals.get(_text(data.get("individual"))), kind=kind,
            happened_on=happened_on, public_note=_text(data.get("public_note")),
        )  # fmt: skip
        FeedOutcome.objects.create(entry=entry, remote_id=data["id"], outcome=outcome)
        added += 1
    return added
