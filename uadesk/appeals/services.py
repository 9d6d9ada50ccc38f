"""Work on appeals that spans models: submitting a supporter's letters, and the letter a channel carries."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from uadesk.actions.models import Action, Target

from .models import Appeal
from .tasks import deliveries_kick


class AppealRefused(Exception):
    """An appeal the desk will not take, with the reason to show the supporter."""


@dataclass(frozen=True)
class Supporter:
    """Who writes: as little as the letter and a reply need."""

    name: str
    town: str = ""
    country: str = ""
    email: str = ""


def appeal_submit(
    *,
    action: Action,
    targets: list[Target],
    channel: str,
    language: str,
    subject: str,
    letters: dict[int, str],
    supporter: Supporter,
    key,
) -> list[Appeal]:
    """Stores one appeal per target, once per form key, and queues the desk's own sends after commit."""
    if not action.is_open():
        raise AppealRefused(_("This action is closed: it takes no new appeal."))
    if existing := list(Appeal.objects.filter(submission=key)):
        return existing  # the same form posted again: a double click or a reload
    status = Appeal.Status.QUEUED if channel in Appeal.DESK_CHANNELS else Appeal.Status.AWAITING_SUPPORTER
    try:
        with transaction.atomic():
            appeals = [
                Appeal.objects.create(
                    submission=key,
                    action=action,
                    target=target,
                    channel=channel,
                    language=language,
                    subject=subject,
                    body=letters[target.pk],
                    supporter_name=supporter.name,
                    supporter_town=supporter.town,
                    supporter_country=supporter.country,
                    reply_to=supporter.email,
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
