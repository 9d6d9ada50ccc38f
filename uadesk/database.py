"""When the database server drops a connection (a restart, a failover, a killed backend): start a new one."""

import logging

from django.db import InterfaceError, OperationalError, connections

log = logging.getLogger(__name__)


def connection_lost(error: Exception) -> bool:
    """The driver lost its connection, rather than the server refusing one statement: psycopg's error
    then carries no SQLSTATE (the socket closed) or one of class 08 (connection exception) or 57P
    (the server shutting the backend down). SQLite's "database is locked" is not a lost connection."""
    cause = error.__cause__
    if not isinstance(error, (OperationalError, InterfaceError)) or not hasattr(cause, "sqlstate"):
        return False
    return cause.sqlstate is None or cause.sqlstate.startswith(("08", "57P"))


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


class RetryOnLostConnectionMiddleware:
    """Runs a view once more, on a new connection, when its connection was lost.

    Only outside a transaction: a view's transaction was rolled back with the connection, so the
    second run starts from what is committed. What a view commits outside one is safe to write twice:
    appeals are stored once per form key, a signing form once per challenge, supporters once per
    address, and a rate-limit count one too many only errs on the supporter's side."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not connection_lost(exception) or getattr(request, "_db_retried", False):
            return None
        opened = connections.all(initialized_only=True)
        if any(db.in_atomic_block for db in opened):
            return None
        for db in opened:
            db.close()
        request._db_retried = True
        match = request.resolver_match
        # The view's name, not the path: a supporter's data page has its key in the path.
        log.warning("database connection lost in %s: running the view again", match.view_name)
        return match.func(request, *match.args, **match.kwargs)
