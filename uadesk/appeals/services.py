"""Work on appeals that spans models: submitting a supporter's letters, and the letter a channel carries."""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from uadesk.actions.models import Action, Target
from uadesk.supporters.models import Supporter

from .letters import letter_has_link
from .models import Appeal
from .tasks import deliveries_kick


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


def appeal_submit(
    *,
    action: Action,
    targets: list[Target],
    channel: str,
    language: str,
    subject: str,
    letters: dict[int, str],
    writer: Writer,
    key,
    localisation=None,
) -> list[Appeal]:
    """Stores one appeal per target, once per form key, and queues the desk's own sends after commit."""
    if not (localisation or action).is_open():
        raise AppealRefused(_("This action is closed: it takes no new appeal."))
    if existing := list(Appeal.objects.filter(submission=key)):
        return existing  # the same form posted again: a double click or a reload
    if channel not in Appeal.DESK_CHANNELS:
        status = Appeal.Status.AWAITING_SUPPORTER
    elif any(appeal_needs_review(action=action, language=language, letter=letters[t.pk]) for t in targets):
        status = Appeal.Status.HELD
    else:
        status = Appeal.Status.QUEUED
    supporter = Supporter.for_email(writer.email) if writer.email else None
    try:
        with transaction.atomic():
            if supporter is not None:
                # Locking the supporter's row makes two of their forms, sent at once, wait in turn.
                Supporter.objects.select_for_update().filter(pk=supporter.pk).first()
                if written := already_written(action=action, targets=targets, supporter=supporter):
                    raise AppealRefused(
                        _("You have already written to %(names)s for this action. Thank you!")
                        % {"names": ", ".join(t.display_name for t in written)}
                    )
                supporter.touch()
            appeals = [
                Appeal.objects.create(
                    submission=key,
                    action=action,
                    target=target,
                    channel=channel,
                    language=language,
                    subject=subject,
                    body=letters[target.pk],
                    supporter_name=writer.name,
                    supporter_town=writer.town,
                    supporter_country=writer.country,
                    supporter=supporter,
                    wants_updates=writer.wants_updates and supporter is not None,
                    status=status,
                )
                for target in targets
            ]
            if status == Appeal.Status.QUEUED:
                transaction.on_commit(deliveries_kick)
    except IntegrityError:
        # Two requests with the same key raced; the first one's appeals stand.
        return list(Appeal.objects.filter(submission=key))
    return appeals


def already_written(*, action: Action, targets: list[Target], supporter) -> list[Target]:
    """The targets this supporter has used up their appeals to, in this action: a letter that
    failed or bounced does not count against them."""
    limit = settings.APPEALS_PER_SUPPORTER_PER_TARGET
    if limit <= 0:
        return []
    used = dict(
        Appeal.objects.filter(action=action, supporter=supporter, target__in=targets)
        .exclude(status__in=[Appeal.Status.FAILED, Appeal.Status.BOUNCED])
        .values_list("target")
        .annotate(n=Count("pk"))
        .values_list("target", "n")
    )
    return [t for t in targets if used.get(t.pk, 0) >= limit]


def supporter_data(supporter) -> dict:
    """What the appeals hold of one supporter, for their own data page and download."""
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
            }
            for a in Appeal.objects.filter(supporter=supporter).select_related("action", "target")
        ]
    }


def forget_supporter(supporter) -> None:
    """Erasure: names and letters go, the appeals stay as anonymous counts. Letters not yet sent
    are withdrawn, since the supporter no longer stands behind them."""
    mine = Appeal.objects.filter(supporter=supporter)
    unsent = [Appeal.Status.HELD, Appeal.Status.QUEUED, Appeal.Status.AWAITING_SUPPORTER]
    mine.filter(status__in=unsent).update(
        status=Appeal.Status.FAILED, last_error="withdrawn: the supporter erased their data"
    )
    # A letter being sent right now cannot be stopped; it keeps its text, and loses the names.
    mine.exclude(status=Appeal.Status.SENDING).update(body="")
    mine.update(supporter_name="", supporter_town="")


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
    count = appeals.filter(status=Appeal.Status.HELD).update(status=Appeal.Status.QUEUED)
    if count:
        transaction.on_commit(deliveries_kick)
    return count


def appeals_hold(*, appeals) -> int:
    """Staff stop these appeals before they go; approving them later sends them."""
    return appeals.filter(status=Appeal.Status.QUEUED).update(status=Appeal.Status.HELD)


def appeal_bounced(*, appeal_pk: int, permanent: bool) -> Appeal | None:
    """A letter came back: the appeal is marked bounced and its target's email failing.
    Temporary trouble changes nothing: the receiving server is still trying."""
    appeal = Appeal.objects.select_related("target").filter(pk=appeal_pk).first()
    if appeal is None or not permanent:
        return appeal
    with transaction.atomic():
        Appeal.objects.filter(pk=appeal.pk, status__in=[Appeal.Status.SENT, Appeal.Status.SENDING]).update(
            status=Appeal.Status.BOUNCED
        )
        Target.objects.filter(pk=appeal.target_id, email_failing_since__isnull=True).update(
            email_failing_since=timezone.now()
        )
    appeal.refresh_from_db()
    return appeal


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
    return Appeal.objects.filter(
        target=target, status__in=[Appeal.Status.QUEUED, Appeal.Status.SENDING]
    ).update(status=Appeal.Status.HELD)
