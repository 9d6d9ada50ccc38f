"""When the database server drops a connection (a restart, a failover, a killed backend): start a new one."""

import logging
from contextlib import ExitStack, contextmanager

from django.db import DatabaseError, InterfaceError, OperationalError, connections

log = logging.getLogger(__name__)


def connection_lost(error: Exception) -> bool:
    """The driver lost its connection, rather than the server refusing one statement: psycopg's error
    then carries no SQLSTATE (the socket closed) or one of class 08 (connection exception) or 57P
    (the server shutting the backend down). SQLite's "database is locked" is not a lost connection."""
    cause = error.__cause__
    if not isinstance(error, (OperationalError, InterfaceError)) or not hasattr(cause, "sqlstate"):
        return False
    return cause.sqlstate is None or cause.sqlstate.startswith(("08", "57P"))


@contextmanager
def commits_unflushed(connection):
    """PostgreSQL: commits here return before the server has written them to disk (synchronous_commit
    off, for this connection until the block ends). A lost connection loses nothing so committed; a
    crash of the server itself loses the last fraction of a second of them. Elsewhere: no change."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:
            connection.close()  # the setting goes with the connection; the next one starts with none


def close_when_lost(execute, sql, params, many, context):
    """Installed on every connection (uadesk.apps): Django keeps a dead connection until the end of
    the request, and the task worker and the scheduler have no requests, so every later statement
    would fail as well, even the worker's record of the failure. Inside a transaction Django already
    drops it, when the rollback fails."""
    try:
        return execute(sql, params, many, context)
    except (OperationalError, InterfaceError) as error:
        db = context["connection"]
        if connection_lost(error) and not db.in_atomic_block:
            db.close()
        raise


def install_close_when_lost(sender, connection, **kwargs) -> None:
    if close_when_lost not in connection.execute_wrappers:
        connection.execute_wrappers.append(close_when_lost)


# What a statement that begins so leaves in the database: nothing. Any other (INSERT, UPDATE, DELETE,
# WITH, DDL...) counts as a write, so one we did not foresee errs towards not running a view again.
READ_ONLY = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "SHOW", "SET", "EXPLAIN")


class RequestWrites:
    """What one request's statements left in the database, as far as a lost connection lets us know.

    `committed`: a write ran outside a transaction (autocommit), or in a transaction that committed.
    `pending`: a write ran in a transaction not yet known to have committed or rolled back; if the
    connection is lost on its COMMIT, the server may have committed it, so it counts as written."""

    def __init__(self):
        self.committed = False
        self.pending = False

    @property
    def wrote(self) -> bool:
        return self.committed or self.pending

    def transaction_committed(self) -> None:
        self.committed, self.pending = True, False

    def __call__(self, execute, sql, params, many, context):
        db = context["connection"]
        try:
            result = execute(sql, params, many, context)
        except (OperationalError, InterfaceError) as error:
            if connection_lost(error) and db.in_atomic_block:
                # The server rolls back the open transaction of a backend it loses: its writes are gone.
                self.pending = False
            raise
        if not (isinstance(sql, str) and sql.lstrip()[:9].upper().startswith(READ_ONLY)):
            if not db.in_atomic_block:
                self.committed = True
            elif not self.pending:
                # Django runs the hook after the outermost COMMIT succeeds and drops it on a rollback.
                self.pending = True
                db.on_commit(self.transaction_committed)
        return result


def rerun_safe(view):
    """Marks a view whose writes are keyed by the request itself (a form's one-time key): run again after
    it wrote, it finds its first run's rows and writes nothing more, so it may be run again like a view
    that wrote nothing. The supporter then gets their answer instead of an error page."""
    view.rerun_safe = True
    return view


class RetryOnLostConnectionMiddleware:
    """Runs a view once more, on a new connection, when its connection was lost before it wrote anything.

    A view's transaction was rolled back with the connection, so a second run starts from what is
    committed. But a view that committed a write (a row saved outside a transaction, or a transaction
    that ended) and then lost its connection is not run again: that would write twice. It gets the
    error page, as any failure does, and the person can look and send again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Every statement of the request, the second run's too, passes through its RequestWrites.
        request._db_writes = writes = RequestWrites()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(writes))
            return self.get_response(request)

    def process_exception(self, request, exception):
        if not connection_lost(exception) or getattr(request, "_db_retried", False):
            return None
        match = request.resolver_match
        if request._db_writes.wrote and not getattr(match.func, "rerun_safe", False):
            # The view's name, not the path: a supporter's data page has its key in the path.
            log.warning("database connection lost in %s after it wrote: not run again", match.view_name)
            return None
        opened = connections.all(initialized_only=True)
        if any(db.in_atomic_block for db in opened):
            return None
        for db in opened:
            db.close()
        request._db_retried = True
        log.warning("database connection lost in %s: running the view again", match.view_name)
        return match.func(request, *match.args, **match.kwargs)
