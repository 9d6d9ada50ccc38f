"""The office desk's feed: each published or closed action as the ingest contract, with its
translations, letters and outcomes, oldest change first (docs/federation.md, The feed)."""

import datetime

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from uadesk.actions.models import Action, Translation
from uadesk.api.serializers import action_document

PAGE_DEFAULT, PAGE_MAX = 100, 200
# A change saved in a transaction that commits later than one the feed already served could be passed
# by the cursor: the cursor a section keeps never goes past this long ago, so the next pull serves the
# last minute again (the section takes only what is newer than what it holds).
SETTLE = datetime.timedelta(seconds=60)


class FeedError(ValueError):
    """A malformed cursor or limit: the section is told which."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def cursor_text(updated_at: datetime.datetime, pk: int) -> str:
    return f"{updated_at.isoformat()}|{pk}"


def cursor_parse(text: str) -> tuple[datetime.datetime, int]:
    stamp, _, pk = text.partition("|")
    try:
        when = parse_datetime(stamp)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None or not pk.isdigit() or len(pk) > 18:
        raise FeedError("since", "The cursor is not one this feed gave.")
    return when, int(pk)


def feed_limit(text: str | None) -> int:
    if text is None or text == "":
        return PAGE_DEFAULT
    if not text.isdigit() or not 1 <= int(text) <= PAGE_MAX:
        raise FeedError("limit", f"limit is a whole number from 1 to {PAGE_MAX}.")
    return int(text)


def _actions():
    return (
        Action.objects.filter(status__in=[Action.Status.PUBLISHED, Action.Status.CLOSED])
        # A desk that is an office's and a section's feeds its own actions, not those another office
        # sent it: each section subscribes to the office whose action it is, and no two desks loop.
        .filter(feed_entry__isnull=True)
        .order_by("updated_at", "pk")
        .prefetch_related(
            "individuals",
            "targets",
            "letters",
            "outcomes__individual",
            # Only the office's own translations: a section's are its own page's business.
            Prefetch(
                "translations",
                queryset=Translation.objects.filter(localisation__isnull=True),
                to_attr="office_translations",
            ),
        )
    )


def feed_item(action: Action, absolute) -> dict:
    """One action as a section desk needs it to make its localisation; `absolute` turns a path into an
    address on this desk."""
    own_targets = [t for t in action.targets.all() if t.localisation_id is None]
    return {
        "id": action.pk,
        "updated_at": action.updated_at.isoformat(),
        "status": action.status,
        "url": absolute(action.get_absolute_url()),
        "earlier_id": action.earlier_id,
        "document": action_document(action),
        # The ingest contract knows only the document's own deadline; an extension the office gave
        # (a demo action's, or one staff gave for a late answer) keeps the sections' copies open too.
        "deadline_extended_to": action.deadline_extended_to and action.deadline_extended_to.isoformat(),
        "deadline_extension_reason": action.deadline_extension_reason,
        "target_ids": [t.pk for t in own_targets],
        "translations": [
            {
                "language": t.language,
                **{part: getattr(t, part) for part in Translation.PARTS},
                "officials": t.officials if isinstance(t.officials, dict) else {},
            }
            for t in action.office_translations
        ],  # fmt: skip
        "letters": [
            {
                "language": m.language,
                "subject": m.subject,
                "salutation": m.salutation,
                "body": m.body,
                "closing": m.closing,
            }
            for m in action.letters.all()
            if m.localisation_id is None
        ],  # fmt: skip
        "outcomes": [
            {
                "id": o.pk,
                "individual": o.individual.name if o.individual else None,
                "kind": o.kind,
                "happened_on": o.happened_on.isoformat(),
                "public_note": o.public_note,
            }
            for o in action.outcomes.all()
        ],  # fmt: skip
    }


def feed_page(*, since: str, limit: int, absolute, now: datetime.datetime | None = None) -> dict:
    """A page of changes after `since`: `next` continues this pull, `cursor` is where the next pull
    starts, `more` whether another page waits now."""
    actions = _actions()
    if since:
        when, pk = cursor_parse(since)
        actions = actions.filter(Q(updated_at__gt=when) | Q(updated_at=when, pk__gt=pk))
    page = list(actions[: limit + 1])
    more, page = len(page) > limit, page[:limit]
    items = [feed_item(action, absolute) for action in page]
    if not page:
        return {"items": [], "next": since, "cursor": since, "more": False}
    last = page[-1]
    settled = (now or timezone.now()) - SETTLE
    cursor = cursor_text(last.updated_at, last.pk) if last.updated_at < settled else cursor_text(settled, 0)
    if since and cursor_parse(cursor)[0] < cursor_parse(since)[0]:
        cursor = since  # never back before where this pull started
    return {"items": items, "next": cursor_text(last.updated_at, last.pk), "cursor": cursor, "more": more}
