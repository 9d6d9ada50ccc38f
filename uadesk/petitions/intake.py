"""Group commit for signing forms: the forms of many requests written in one INSERT and one commit.

At a busy moment hundreds of people sign each second, and a commit per form would be most of the
work. A request hands its form in and waits; one request at a time writes, on its own database
connection, every form that has arrived meanwhile in one transaction, and answers all of them once it
has committed. Then the first form that arrived during that write leads the next batch. A form is
acknowledged only after its row is committed, as before, and a lone signer waits for one INSERT.
No thread of its own: each write happens in a request, with that request's connection.
"""

import threading
from collections.abc import Callable, Sequence

from django.db import IntegrityError, transaction


class _Waiting:
    __slots__ = ("row", "done", "lead", "taken", "error")

    def __init__(self, row):
        self.row, self.done, self.lead, self.taken, self.error = row, threading.Event(), False, False, None


class GroupCommit:
    """`take(row)` answers once `row` is committed, written together with whatever arrived meanwhile.

    `write(rows)` inserts a batch and returns, for each row, whether it was taken (False: refused by a
    unique constraint). Any other error is raised in every request of that batch.
    """

    def __init__(self, write: Callable[[Sequence], list[bool]], *, max_batch: int = 256):
        self.write, self.max_batch = write, max_batch
        self._lock = threading.Lock()
        self._arrived: list[_Waiting] = []
        self._writing = False

    def take(self, row) -> bool:
        waiting = _Waiting(row)
        with self._lock:
            self._arrived.append(waiting)
            waiting.lead = not self._writing
            self._writing = True
        while True:
            if waiting.lead:
                waiting.lead = False
                self._write_next()
            waiting.done.wait()
            if not waiting.lead:  # woken with its answer, not to lead the next batch
                break
            waiting.done.clear()
        if waiting.error is not None:
            raise waiting.error
        return waiting.taken

    def _write_next(self) -> None:
        with self._lock:
            batch, self._arrived = self._arrived[: self.max_batch], self._arrived[self.max_batch :]
        try:
            for waiting, taken in zip(batch, self.write([w.row for w in batch]), strict=True):
                waiting.taken = taken
        except Exception as error:  # every request of the batch hears of it
            for waiting in batch:
                waiting.error = error
        finally:
            with self._lock:
                if self._arrived:
                    following = self._arrived[0]
                    following.lead = True
                    following.done.set()
                else:
                    self._writing = False
            for waiting in batch:
                waiting.done.set()


def insert_all(model) -> Callable[[Sequence], list[bool]]:
    """A `write` for GroupCommit: the rows in one INSERT; where a unique value was already spent (a
    replayed form, which is rare), each row again on its own to tell which."""

    def write(rows: Sequence) -> list[bool]:
        try:
            with transaction.atomic():
                model.objects.bulk_create(rows)
            return [True] * len(rows)
        except IntegrityError:
            return [_insert_one(row) for row in rows]

    def _insert_one(row) -> bool:
        row.pk = None
        try:
            with transaction.atomic():
                row.save(force_insert=True)
            return True
        except IntegrityError:
            return False

    return write
