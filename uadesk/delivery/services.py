"""Putting messages in the outbox, in the transaction of the change that causes them."""

from django.db import transaction

from .models import Message
from .outbox import sender_for
from .tasks import runs_kick


def message_queue(kind: str, ref: int, *, params: dict | None = None) -> Message:
    """A message about the row `ref` of its kind; a delivery run is asked for once the caller commits."""
    message = Message.objects.create(kind=kind, ref=ref, params=params or {})
    transaction.on_commit(runs_kick)
    return message


def _staff_change(messages, change: str, became: str, *, eligible: list[str]) -> int:
    """One of staff's changes to messages (hold, release, retry, cancel), told to each kind's sender so
    the rows they are about follow (a held letter shows as held on its appeal)."""
    with transaction.atomic():
        rows = list(messages.filter(status__in=eligible).select_for_update().values_list("pk", "kind", "ref"))
        changed = getattr(Message.objects.filter(pk__in=[pk for pk, _, _ in rows]), change)()
        for kind in {kind for _, kind, _ in rows}:
            sender_for(kind).became(became, [ref for _, k, ref in rows if k == kind])
        if became == Message.Status.WAITING and changed:
            transaction.on_commit(runs_kick)
    return changed


def messages_hold(*, messages) -> int:
    return _staff_change(
        messages, "hold", Message.Status.HELD, eligible=[Message.Status.WAITING, Message.Status.SENDING]
    )


def messages_release(*, messages) -> int:
    return _staff_change(messages, "release", Message.Status.WAITING, eligible=[Message.Status.HELD])


def messages_retry(*, messages) -> int:
    return _staff_change(messages, "retry", Message.Status.WAITING, eligible=[Message.Status.FAILED])


def messages_cancel(*, messages) -> int:
    return _staff_change(
        messages, "cancel", Message.Status.CANCELLED,
        eligible=[Message.Status.WAITING, Message.Status.HELD, Message.Status.FAILED],
    )  # fmt: skip
