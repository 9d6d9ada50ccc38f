"""Work on appeals that spans models: submitting a supporter's letters, confirming their email, their data."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from uadesk import pagecache
from uadesk.actions.models import Action, Target
from uadesk.delivery.models import Message
from uadesk.delivery.services import message_queue
from uadesk.supporters.models import Supporter

from .bounces import Bounce, Kind
from .letters import letter_has_link
from .models import Appeal, EmailConfirmation, Reply, TargetBounce, written_from
from .outbox import letters_cancel, letters_hold, letters_in_flight, letters_queue


class AppealRefused(Exception):
    """An appeal the desk will not take, with the reason to show the supporter."""


@dataclass(frozen=True)
class Writer:
    """Who writes: as little as the letter and a reply need."""

    name: str
    town: str = ""
    country: str = ""
    email: str = ""
    wants_updates: bool = False
    # What the officials see of them (Appeal.Signing), and a printed letter's sender's address left blank.
    signed_as: str = Appeal.Signing.NAME
    sender_blank: bool = False


def appeal_submit(
    *,
    action: Action,
    targets: list[Target],
    channel: str = "",
    channels: dict[int, str] | None = None,
    language: str,
    subject: str,
    letters: dict[int, str],
    writer: Writer,
    key,
    localisation=None,
) -> list[Appeal]:
    """Stores one appeal per target, once per form key, and queues the desk's own sends after commit.
    Each target's letter goes by its channel in `channels` (by target pk), else by `channel`.

    A writer who gave their email confirms it first (appeals_confirm): until then the letters are
    nobody's, and the desk's own sends wait. The answer, and the work done, are the same whether the
    address is known or not: nothing here looks the address up."""
    if not (localisation or action).is_open():
        if action.ended_by_outcomes():
            raise AppealRefused(
                _("Every person this action was for has a final outcome: it takes no new appeal.")
            )
        raise AppealRefused(_("This action is closed: it takes no new appeal."))
    if existing := list(Appeal.objects.filter(submission=key)):
        return existing  # the same form posted again: a double click or a reload
    channels = {t.pk: (channels or {}).get(t.pk, channel) for t in targets}
    # The desk keeps no more of the name than the officials see: initials or none stay so everywhere.
    signing = Appeal.Signing(writer.signed_as)
    desk = [t for t in targets if channels[t.pk] in Appeal.DESK_CHANNELS]
    if writer.email:
        desk_status = Appeal.Status.UNCONFIRMED
    elif any(appeal_needs_review(action=action, language=language, letter=letters[t.pk]) for t in desk):
        desk_status = Appeal.Status.HELD
    else:
        desk_status = Appeal.Status.QUEUED
    try:
        with transaction.atomic():
            appeals = [
                Appeal.objects.create(
                    submission=key,
                    action=action,
                    target=target,
                    channel=channels[target.pk],
                    language=language,
                    subject=subject,
                    body=letters[target.pk],
                    supporter_name=signing.name_shown(writer.name),
                    supporter_town=writer.town,
                    supporter_country=writer.country,
                    signed_as=signing,
                    # Only paper has a sender's address to leave blank.
                    sender_blank=writer.sender_blank and channels[target.pk] == Appeal.Channel.POST,
                    localisation=localisation,
                    # News of the case goes only to a supporter, so only once they confirmed.
                    wants_updates=writer.wants_updates and bool(writer.email),
                    status=desk_status if target in desk else Appeal.Status.AWAITING_SUPPORTER,
                )
                for target in targets
            ]
            if writer.email:
                confirmation = EmailConfirmation.for_email(
                    writer.email, submission=key, language=translation.get_language() or ""
                )
                message_queue(Message.Kind.LETTERS_CONFIRMATION, confirmation.pk)
            if desk and desk_status == Appeal.Status.QUEUED:
                letters_queue(Appeal.objects.filter(submission=key))  # the queued ones
    except IntegrityError:
        # Two requests with the same key raced; the first one's appeals stand.
        return list(Appeal.objects.filter(submission=key))
    return appeals


@dataclass(frozen=True)
class Confirmed:
    """What confirming an email did to the form's letters."""

    appeals: list[Appeal]
    # Letters that were not sent: to targets the supporter had already written to, or to a closed action.
    over_limit: list[Appeal]
    closed: list[Appeal]


# Why confirming withdrew a letter, as its record says (Appeal.last_error).
WITHDRAWN_OVER_LIMIT = "withdrawn when confirmed: over the supporter's limit"
WITHDRAWN_CLOSED = "withdrawn when confirmed: the action closed"


def appeals_confirm(token: str) -> Confirmed | None:
    """The owner of the address opened the link: the form's letters become theirs. Letters over their
    limit per target (counted over confirmed letters only), or to an action closed since, are
    withdrawn; the desk's own sends of the others go (or wait for review). None for a dead link."""
    with transaction.atomic():
        confirmation = EmailConfirmation.take(token)
        if confirmation is None:
            return None
        supporter = Supporter.for_email(confirmation.email, language=confirmation.language)
        # Locking the supporter's row makes two of their confirmations, clicked at once, wait in turn.
        Supporter.objects.select_for_update().filter(pk=supporter.pk).first()
        supporter.touch()
        appeals = list(
            Appeal.objects.filter(submission=confirmation.submission, supporter__isnull=True)
            .select_related("action", "localisation", "target__localisation")
            .order_by("target__position")
        )
        if not appeals:
            return Confirmed([], [], [])
        action = appeals[0].action
        is_open = (written_from(appeals) or action).is_open()
        written = appeals_written(action=action, supporter=supporter)
        limit = settings.APPEALS_PER_SUPPORTER_PER_TARGET
        waiting = [Appeal.Status.UNCONFIRMED, Appeal.Status.AWAITING_SUPPORTER]
        over_limit, closed, kept = [], [], []
        for appeal in appeals:
            if appeal.status in waiting and 0 < limit <= written.get(appeal.target_id, 0):
                over_limit.append(appeal)
            elif appeal.status in waiting and not is_open:
                closed.append(appeal)
            else:
                kept.append(appeal)
                written[appeal.target_id] = written.get(appeal.target_id, 0) + 1
        for withdrawn, reason in ((over_limit, WITHDRAWN_OVER_LIMIT), (closed, WITHDRAWN_CLOSED)):
            Appeal.objects.filter(pk__in=[a.pk for a in withdrawn]).update(
                status=Appeal.Status.WITHDRAWN, last_error=reason
            )
        desk = [a for a in kept if a.status == Appeal.Status.UNCONFIRMED]
        held = any(appeal_needs_review(action=action, language=a.language, letter=a.body) for a in desk)
        status = Appeal.Status.HELD if held else Appeal.Status.QUEUED
        Appeal.objects.filter(pk__in=[a.pk for a in desk]).update(status=status)
        Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(supporter=supporter)
        if desk and status == Appeal.Status.QUEUED:
            letters_queue(Appeal.objects.filter(pk__in=[a.pk for a in desk]))
        if kept:
            # Their record of what they sent, now that the address is known to be theirs.
            message_queue(
                Message.Kind.LETTERS_RECEIPT, kept[0].pk, params={"submission": str(confirmation.submission)}
            )
    for appeal in appeals:
        appeal.refresh_from_db()
    return Confirmed(appeals, over_limit, closed)


def appeals_confirmed_before(token: str) -> Confirmed | None:
    """What a link already used confirmed, as its letters stand now: for a second click, and for the
    second run of a click whose first run committed but whose answer was lost with the connection."""
    spent = EmailConfirmation.spent(token)
    if spent is None:
        return None
    appeals = list(
        Appeal.objects.filter(submission=spent.submission)
        .select_related("action", "target")
        .order_by("target__position")
    )
    return Confirmed(
        appeals,
        over_limit=[a for a in appeals if a.last_error == WITHDRAWN_OVER_LIMIT],
        closed=[a for a in appeals if a.last_error == WITHDRAWN_CLOSED],
    )


def appeals_expire_unconfirmed(*, now=None) -> int:
    """Forms whose email was not confirmed within APPEAL_CONFIRM_DAYS: their waiting letters are
    withdrawn and the address forgotten. Returns how many forms."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.APPEAL_CONFIRM_DAYS)
    with transaction.atomic():
        stale = EmailConfirmation.objects.filter(created_at__lt=cutoff)
        keys = list(stale.values_list("submission", flat=True))
        unconfirmed = Appeal.objects.filter(submission__in=keys, supporter__isnull=True)
        unconfirmed.filter(status=Appeal.Status.UNCONFIRMED).update(
            status=Appeal.Status.WITHDRAWN, last_error="withdrawn: the email was not confirmed in time"
        )
        unconfirmed.update(wants_updates=False)
        stale.filter(submission__in=keys).delete()
    return len(keys)


def appeals_written(*, action: Action, supporter) -> dict[int, int]:
    """How many letters this supporter has written to each target of this action: a letter that
    failed, bounced or was withdrawn does not count against them, nor one they never confirmed."""
    return dict(
        Appeal.objects.filter(action=action, supporter=supporter)
        .exclude(status__in=[Appeal.Status.FAILED, Appeal.Status.BOUNCED, Appeal.Status.WITHDRAWN])
        .values_list("target")
        .annotate(n=Count("pk"))
        .values_list("target", "n")
    )


def already_written(*, action: Action, targets: list[Target], supporter) -> list[Target]:
    """The targets this supporter has used up their appeals to, in this action."""
    limit = settings.APPEALS_PER_SUPPORTER_PER_TARGET
    if limit <= 0:
        return []
    used = appeals_written(action=action, supporter=supporter)
    return [t for t in targets if used.get(t.pk, 0) >= limit]


def supporter_data(supporter) -> dict:
    """What the appeals hold of one supporter, for their own data page and download: their confirmed
    letters and the answers they reported. Letters in their address not yet confirmed are not theirs."""
    appeals = Appeal.objects.filter(supporter=supporter).select_related("action", "target")
    return {
        "appeals": [
            {
                "action": a.action.title,
                "target": a.target.display_name,
                "channel": a.channel,
                "status": a.status,
                "written_at": a.created_at.isoformat(),
                "name": a.supporter_name,
                "town": a.supporter_town,
                "country": a.supporter_country,
                "letter": a.body,
                "replies": [
                    {"received_on": r.received_on, "reported_at": r.created_at, "text": r.text}
                    for r in a.replies.all()
                ],
            }
            for a in appeals.prefetch_related("replies")
        ]
    }


def forget_supporter(supporter) -> None:
    """Erasure: names, letters and the answers to them go, the appeals stay as anonymous counts.
    Letters not yet sent are withdrawn, since the supporter no longer stands behind them; so are
    letters written with their address and never confirmed, and that address is forgotten."""
    pending = EmailConfirmation.objects.filter(email_hash=supporter.email_hash)
    keys = list(pending.values_list("submission", flat=True))
    unconfirmed = Appeal.objects.filter(submission__in=keys, supporter__isnull=True)
    mine = Appeal.objects.filter(supporter=supporter)
    unsent = [
        Appeal.Status.UNCONFIRMED, Appeal.Status.HELD, Appeal.Status.QUEUED, Appeal.Status.AWAITING_SUPPORTER
    ]  # fmt: skip
    for appeals in (mine, unconfirmed):
        withdrawn = list(appeals.filter(status__in=unsent).values_list("pk", flat=True))
        appeals.filter(pk__in=withdrawn).update(
            status=Appeal.Status.WITHDRAWN, last_error="withdrawn: the supporter erased their data"
        )
        letters_cancel(withdrawn)
        # A letter being sent right now cannot be stopped; it keeps its text, and loses the names.
        appeals.exclude(pk__in=letters_in_flight(withdrawn)).update(body="")
        Reply.objects.filter(appeal__in=appeals).update(text="")
        appeals.update(supporter_name="", supporter_town="", wants_updates=False)
    pending.delete()


def appeal_needs_review(*, action: Action, language: str, letter: str) -> bool:
    """A letter waits for staff if it carries a link or a listed word, or, where the action asks,
    if it is not the model letter."""
    text = letter.casefold()
    if letter_has_link(letter) or any(word in text for word in action.held_word_list):
        return True
    if not action.review_letters:
        return False
    model = next((m for m in action.letters.all() if m.language == language), None)
    return model is None or " ".join(model.body.split()) not in " ".join(letter.split())


def appeals_release(*, appeals) -> int:
    """Staff approved these held appeals: they go out now."""
    with transaction.atomic():
        ids = list(appeals.filter(status=Appeal.Status.HELD).values_list("pk", flat=True))
        Appeal.objects.filter(pk__in=ids).update(status=Appeal.Status.QUEUED)
        return letters_queue(Appeal.objects.filter(pk__in=ids))


def appeals_hold(*, appeals) -> int:
    """Staff stop these appeals before they go; approving them later sends them."""
    with transaction.atomic():
        ids = list(appeals.filter(status=Appeal.Status.QUEUED).values_list("pk", flat=True))
        letters_hold(ids)
        return Appeal.objects.filter(pk__in=ids).update(status=Appeal.Status.HELD)


def appeals_retry(*, appeals) -> int:
    """Staff send these failed appeals again: each with a full set of tries, its attempts on record."""
    with transaction.atomic():
        ids = list(appeals.filter(status=Appeal.Status.FAILED).values_list("pk", flat=True))
        Appeal.objects.filter(pk__in=ids).update(status=Appeal.Status.QUEUED)
        return letters_queue(Appeal.objects.filter(pk__in=ids))


@dataclass(frozen=True)
class BounceRecorded:
    """What one message to a bounce address did."""

    what: str  # auto-reply, missing, expired, temporary, unknown or bounced
    appeal: Appeal | None = None
    target_failing: bool = False  # this bounce tipped the target's email into failing


def appeal_bounced(*, bounce: Bounce, now: datetime.datetime | None = None) -> BounceRecorded:
    """Something came back to an appeal's bounce address.

    An auto-reply (out of office) means the letter arrived, and a temporary failure that the receiving
    server is still trying: neither changes anything. A permanent failure marks the appeal bounced; the
    target's email is marked failing only once TARGET_BOUNCES_TO_FAIL letters to it, of different
    supporters' submissions, bounced for good within TARGET_BOUNCE_WINDOW_DAYS, so no one letter (nor one
    confused server) closes the email channel to an official for everyone. Anything else is recorded
    for staff to see. An address past its time (Bounce.expired) is refused: it marks nothing."""
    if bounce.kind == Kind.AUTO_REPLY:
        return BounceRecorded("auto-reply")
    now = now or timezone.now()
    appeal = Appeal.objects.select_related("target").filter(pk=bounce.appeal_pk).first()
    if appeal is None:
        return BounceRecorded("missing")
    if bounce.expired(appeal.sent_at, now):
        return BounceRecorded("expired", appeal)
    if bounce.kind == Kind.TEMPORARY:
        return BounceRecorded("temporary", appeal)
    if bounce.kind == Kind.UNKNOWN:
        TargetBounce.objects.create(
            target_id=appeal.target_id, appeal=appeal, kind=TargetBounce.Kind.UNKNOWN,
            status=bounce.status, diagnostic=bounce.diagnostic, received_at=now,
        )  # fmt: skip
        return BounceRecorded("unknown", appeal)
    with transaction.atomic():
        # Locked: two bounces at once each count the other's.
        target = Target.objects.select_for_update().get(pk=appeal.target_id)
        Appeal.objects.filter(pk=appeal.pk, status=Appeal.Status.SENT).update(status=Appeal.Status.BOUNCED)
        failing = False
        # A fax's report comes back through the gateway's mail too: the target's email is not at fault.
        if appeal.channel == Appeal.Channel.EMAIL:
            TargetBounce.objects.create(
                target=target, appeal=appeal, kind=TargetBounce.Kind.PERMANENT,
                status=bounce.status, diagnostic=bounce.diagnostic, received_at=now,
            )  # fmt: skip
            letters = TargetBounce.letters_counting(target, now)
            failing = letters >= settings.TARGET_BOUNCES_TO_FAIL and not target.email_failing_since
            if failing:
                Target.objects.filter(pk=target.pk).update(email_failing_since=now)
                pagecache.pages_changed()  # the pages stop offering its email
    appeal.refresh_from_db()
    return BounceRecorded("bounced", appeal, target_failing=failing)


def appeal_counts(*, action: Action) -> dict[str, dict[str, int]]:
    """Appeals that went out, counted by target, channel, letter language and supporter country."""
    counted = Appeal.objects.counted().filter(action=action)
    by = {
        "target": "target__name",
        "channel": "channel",
        "language": "language",
        "country": "supporter_country",
    }
    return {
        name: dict(counted.values_list(field).annotate(n=Count("pk")).order_by(field).values_list(field, "n"))
        for name, field in by.items()
    } | {"total": {"": counted.count()}}


def appeals_hold_for_target(*, target: Target) -> int:
    """The target's address changed: every letter still waiting to go to it (queued, or taken by a worker
    that has not begun its send) waits for staff in the review queue, so none leaves for the new address
    before they approve it. A letter a worker is sending goes to the address it read when it took it."""
    return appeals_hold(appeals=Appeal.objects.filter(target=target))
