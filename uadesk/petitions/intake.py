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

from django.db import transaction
from django.db.backends.utils import CursorWrapper


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


def insert_all(model, *, unique: str) -> Callable[[Sequence], list[bool]]:
    """A `write` for GroupCommit: the rows in one INSERT that skips a row whose `unique` value is
    already spent (a replayed form), and says which rows it took.

    By hand, as ON CONFLICT DO NOTHING ... RETURNING (PostgreSQL, SQLite 3.35+): Django's bulk_create
    can skip conflicts but not tell which rows it skipped. Outside a transaction the one statement is
    a transaction of its own, so no BEGIN and COMMIT go to the database around it."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    pk = model._meta.pk

    statements: dict[str, tuple[str, str, str]] = {}  # per database: built once, not per batch

    def statement(connection) -> tuple[str, str, str]:
        if connection.alias not in statements:
            quote = connection.ops.quote_name
            # Names from the model only, never from a request; the values go as parameters.
            columns = ", ".join(quote(f.column) for f in fields)
            unique_column = quote(model._meta.get_field(unique).column)
            statements[connection.alias] = (
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ",  # noqa: S608
                f"({', '.join(['%s'] * len(fields))})",
                f" ON CONFLICT ({unique_column}) DO NOTHING RETURNING {quote(pk.column)}, {unique_column}",
            )
        return statements[connection.alias]

    def write(rows: Sequence) -> list[bool]:
        connection = transaction.get_connection()
        head, placeholders, tail = statement(connection)
        size = connection.ops.bulk_batch_size(fields, rows)
        taken: dict[str, int] = {}
        # Inside a caller's transaction the statements join it, as the caller asked.
        with _cursor(connection) as cursor:
            for start in range(0, len(rows), size):
                part = rows[start : start + size]
                params = [
                    f.get_db_prep_save(f.pre_save(row, True), connection) for row in part for f in fields
                ]
                cursor.execute(head + ", ".join([placeholders] * len(part)) + tail, params)
                taken.update((value, pk_value) for pk_value, value in cursor.fetchall())
        answers = []
        for row in rows:
            # Two rows with one value in a batch (a form sent twice at once): the first is the one taken.
            pk_value = taken.pop(getattr(row, unique), None)
            if pk_value is not None:
                row.pk = pk_value
            answers.append(pk_value is not None)
        return answers

    return write


def _cursor(connection):
    """On PostgreSQL, a cursor that binds the values on the server, where psycopg prepares a statement
    it has run five times: a batch then costs a third less than with Django's client-side binding
    (per row, 190 against 126 us for one row, 51 against 36 for four). Django's wrapper stays around
    it, so errors are Django's and a lost connection is closed as anywhere else."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    return CursorWrapper(psycopg.Cursor(connection.connection), connection)
