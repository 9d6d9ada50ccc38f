"""The outbox's runner: claims due messages, builds each with its kind's sender, sends it by its channel
and records the attempt. It knows no app: each app registers a Sender for its kinds of message."""

import datetime
import logging
import os
import socket
from contextlib import nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.db.models import F, Q

from uadesk.database import commits_unflushed, connection_lost

from .models import Attempt, Message
from .transport import TransportError

log = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{os.getpid()}"
# Facts that a batch's messages share, read once per batch instead of once per message: a read per
# letter is a sixth of a letter's statements (bench/email.py). A batch lasts well under a second.
_batch_memo: ContextVar[dict | None] = ContextVar("batch_memo", default=None)


def batch_remembered(key, read):
    """read() once per batch of the outbox, and on each call outside one."""
    memo = _batch_memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


class Transport(Protocol):
    """One channel: sends what a sender built to an address, or raises TransportError. What it returns
    (a receiver's answer, such as "HTTP 200") is kept on the attempt."""

    def send(self, item: Any, *, to: str) -> str | None: ...


@dataclass(frozen=True)
class Envelope:
    """A message ready to go: which channel, what it carries (an OutgoingLetter, a webhook's request)
    and where to."""

    channel: str
    item: Any
    to: str


class Sender:
    """How one kind of message is built, how often it is tried, and what its outcome changes."""

    kind: str
    # The model of the rows its messages are about ("appeals.appeal"): staff follow a message to its row.
    about: str = ""

    def envelopes(self, messages: list[Message]) -> dict[int, Envelope | str | None]:
        """Each message's envelope by message id; where there is nothing to send any more (the row it
        was about is gone or erased), None or the reason why: that message is cancelled."""
        raise NotImplementedError

    def max_attempts(self) -> int:
        return settings.SUPPORTER_EMAIL_MAX_ATTEMPTS

    def retry_base_seconds(self) -> int:
        return settings.SUPPORTER_EMAIL_RETRY_BASE_SECONDS

    def became(self, status: str, refs: list[int]) -> None:
        """Keeps the rows these messages are about in step with them: sent, failed, held, waiting
        again, cancelled. Called in the transaction that changed the messages."""

    def bounced(self, message: Message, bounce) -> str:
        """Something came back to the message's bounce address (delivery/bounces.py: a MessageBounce);
        says in a few words what that changed. Only senders that set a bounce address get any."""
        return "nothing changed"


_senders: dict[str, Sender] = {}


def sender_register(sender: Sender) -> None:
    """Each app registers the senders of its kinds of message when it is ready."""
    _senders[sender.kind] = sender


def sender_for(kind: str) -> Sender:
    return _senders[kind]


def registered_kinds() -> set[str]:
    return set(_senders)


def claim_due(
    now: datetime.datetime, *, token: str, limit: int, bulk_limit: int | None = None
) -> list[Message]:
    """Takes up to `limit` due messages that their pace allows; a message goes to one worker only.
    Bulk messages (mailings) only fill what the others leave of the batch, up to `bulk_limit`."""
    lease = now + datetime.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    ids: list[int] = []
    for bulk, most in ((False, limit), (True, bulk_limit or limit)):
        if len(ids) < most:
            ids += _claim(now, token=token, limit=most - len(ids), lease=lease, bulk=bulk)
    return list(
        Message.objects.filter(pk__in=ids, claimed_by=token, status=Message.Status.SENDING).order_by("pk")
    )


def _claim(
    now: datetime.datetime, *, token: str, limit: int, lease: datetime.datetime, bulk: bool
) -> list[int]:
    claimed = {"status": Message.Status.SENDING, "claimed_by": token, "claimed_until": lease}
    if bulk:
        # A bulk message's try is counted here, with its claim: it then costs no statement of its own
        # before the send (Message.begin_attempt).
        claimed["attempts"] = F("attempts") + 1
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: workers take disjoint rows without waiting for each other's claims.
        with transaction.atomic():
            ids = paced(now, _candidates(now, bulk=bulk, most=limit * 4, lock=True), limit)
            Message.objects.filter(pk__in=ids).update(**claimed)
    else:
        ids = paced(now, _candidates(now, bulk=bulk, most=limit * 4, lock=False), limit)
        # The conditions are checked again in the UPDATE itself: a row another worker took meanwhile
        # is left alone (SQLite writes one at a time, so this is the whole claim there).
        Message.objects.due(now).filter(pk__in=ids).update(**claimed)
    return ids


def _candidates(now: datetime.datetime, *, bulk: bool, most: int, lock: bool) -> list[Message]:
    """Up to `most` due messages: retries that are due first, then claims whose lease ran out, then new
    ones, each oldest first."""
    found: list[Message] = []
    for due in Message.objects.filter(bulk=bulk).due_in_order(now):
        if len(found) >= most:
            break
        if lock:
            due = due.select_for_update(skip_locked=True, of=("self",))
        found += due.only(*PACE_FIELDS)[: most - len(found)]
    return found


PACE_FIELDS = ("pk", "pace", "per_hour", "gap_seconds")


def paced(now: datetime.datetime, candidates: list[Message], limit: int) -> list[int]:
    """The candidates their pace lets go now: at most `per_hour` an hour per pace key, and `gap_seconds`
    apart where set. The others wait until their key has room again."""
    keys = {m.pace for m in candidates if m.pace}
    recent = Message.objects.filter(pace__in=keys).filter(
        Q(status=Message.Status.SENT, sent_at__gte=now - datetime.timedelta(hours=1))
        | Q(status=Message.Status.SENDING, claimed_until__gte=now)
    )
    per_key = dict(recent.values_list("pace").annotate(n=models.Count("pk")).values_list("pace", "n"))
    gapped = {}
    for key, sent_at, gap in recent.filter(gap_seconds__gt=0).values_list("pace", "sent_at", "gap_seconds"):
        until = (sent_at or now) + datetime.timedelta(seconds=gap)
        gapped[key] = max(gapped.get(key, until), until)
    chosen, waiting = [], {}
    for m in candidates:
        if not m.pace:
            if len(chosen) < limit:
                chosen.append(m.pk)
            continue
        if m.per_hour is not None and per_key.get(m.pace, 0) >= m.per_hour:
            waiting[m.pk] = now + datetime.timedelta(seconds=3600 / max(m.per_hour, 1))
        elif m.gap_seconds and gapped.get(m.pace, now) > now:
            waiting[m.pk] = gapped[m.pace]
        elif len(chosen) < limit:
            chosen.append(m.pk)
            per_key[m.pace] = per_key.get(m.pace, 0) + 1
            if m.gap_seconds:
                gapped[m.pace] = now + datetime.timedelta(seconds=m.gap_seconds)
    for pk, when in waiting.items():
        Message.objects.filter(pk=pk, status=Message.Status.WAITING).update(next_attempt_at=when)
    return chosen


@dataclass
class Run:
    """What one batch did: how many went, and when the earliest retry falls due."""

    sent: int = 0
    retry_at: datetime.datetime | None = None

    def retry(self, when: datetime.datetime) -> None:
        self.retry_at = min(self.retry_at or when, when)


def deliver_batch(batch: list[Message], *, token: str, transports: dict[str, Transport], run: Run) -> None:
    """Sends a claimed batch, message by message. A message's "sent" is committed in one transaction
    with the next message's attempt row: one commit a message instead of two, and the guarantee is the
    same, since each attempt is on record before its send and each send is recorded before the next."""
    envelopes: dict[int, Envelope | str | None] = {}
    for kind in {m.kind for m in batch}:
        envelopes |= sender_for(kind).envelopes([m for m in batch if m.kind == kind])
    memo = _batch_memo.set({})
    try:
        _deliver([m for m in batch if not m.bulk], envelopes, token=token, transports=transports, run=run)
        if bulk := [m for m in batch if m.bulk]:
            # A mailing's copies: that one is recorded as sent is what stops it going twice, and waiting
            # for the disk on each record was a tenth of each copy's cost (docs/benchmarks.md). A crash
            # of the database server (a lost connection loses nothing) could lose the last fraction of
            # a second of records, and those few members would get the case twice; a letter to an
            # official, or any email a supporter asked for, is always recorded on disk.
            with commits_unflushed(connection):
                _deliver(bulk, envelopes, token=token, transports=transports, run=run)
    finally:
        _batch_memo.reset(memo)


def _deliver(batch: list[Message], envelopes: dict, *, token: str, transports: dict, run: Run) -> None:
    just_sent = None
    bulk_sent: dict[str, list[int]] = {}  # kind: refs whose rows learn they were sent at the batch's end
    for message in batch:
        try:
            # One commit for the last message's record and this one's attempt. A bulk message's try was
            # counted by its claim: only the record is left, one statement that needs no transaction.
            with nullcontext() if message.bulk else transaction.atomic():
                if just_sent:
                    record_sent(*just_sent, later=bulk_sent)
                if not isinstance(envelopes.get(message.pk), Envelope):
                    cancel_gone(message, envelopes.get(message.pk) or "nothing left to send")
                    attempt = None
                else:
                    attempt = message.begin_attempt(
                        token=token, worker=WORKER, lease_seconds=settings.DELIVERY_LEASE_SECONDS
                    )
        except DatabaseError as error:
            if just_sent and connection_lost(error):
                record_sent_surely(*just_sent)
            raise
        just_sent = None
        if attempt is None:
            continue  # cancelled, or its lease ran out and another worker took it over
        if (note := send(message, attempt, envelopes[message.pk], transports, run)) is not None:
            run.sent += 1
            just_sent = (message, attempt, note)
    if just_sent:
        record_sent_surely(*just_sent, later=bulk_sent)
    if bulk_sent:
        with transaction.atomic():
            for kind, refs in bulk_sent.items():
                sender_for(kind).became(Message.Status.SENT, refs)


def record_sent(message: Message, attempt: Attempt, note: str, *, later: dict | None = None) -> None:
    """The message went. Its row says so now; a bulk message's own row (a mailing's recipient) is told
    with the rest of its batch, one statement for all: the message's row is what decides that it is
    not sent again, and a worker that dies before the batch's end leaves only that report behind (the
    sender catches up, see network.mailings.mailings_finish)."""
    if message.bulk and later is not None:
        message.record_sent(attempt, note)  # one statement
        later.setdefault(message.kind, []).append(message.ref)
        return
    with transaction.atomic(savepoint=False):
        message.record_sent(attempt, note)
        sender_for(message.kind).became(Message.Status.SENT, [message.ref])


def record_sent_surely(message: Message, attempt: Attempt, note: str, *, later: dict | None = None) -> None:
    """The server took the message: were its record lost with a database connection cut at that
    moment, it would go again once its lease ran out. So once more, on a new connection."""
    try:
        record_sent(message, attempt, note, later=later)
    except DatabaseError as error:
        if not connection_lost(error):
            raise
        record_sent(message, attempt, note, later=later)


def cancel_gone(message: Message, reason: str) -> None:
    """The row this message was about is gone (erased, deleted), or its sender refused it."""
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        status=Message.Status.CANCELLED, claimed_until=None, last_error=reason[:500]
    )


def send(message: Message, attempt: Attempt, envelope: Envelope, transports: dict, run: Run) -> str | None:
    """One message out by its channel; a failure is recorded here (None), a success by the caller, with
    what the channel answered ("" if nothing)."""
    sender = sender_for(message.kind)
    try:
        if not envelope.to:
            raise TransportError(f"no {envelope.channel} address to send to", permanent=True)
        answer = transports[envelope.channel].send(envelope.item, to=envelope.to)
    except TransportError as error:
        retry_at = message.record_failure(
            attempt, str(error), permanent=error.permanent,
            max_attempts=sender.max_attempts(), retry_base=sender.retry_base_seconds(),
        )  # fmt: skip
        if retry_at:
            run.retry(retry_at)
        elif message.status == Message.Status.FAILED:  # not held by staff meanwhile
            log.warning("%s failed for good: %s", message, message.last_error)
            with transaction.atomic():
                sender.became(Message.Status.FAILED, [message.ref])
        return None
    return answer or ""
