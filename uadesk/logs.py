"""Log lines about a request name its view and status, never its path: paths carry working secrets."""

import logging

from django.http import HttpRequest


def view_label(request: HttpRequest) -> str:
    """The resolved URL name ("supporters:erase"), or a word saying no route matched."""
    match = getattr(request, "resolver_match", None)
    return (match.view_name or match._func_path) if match else "(no route)"


class RequestPathFilter(logging.Filter):
    """Rewrites a record Django logs about a request ("Not Found: /en/supporters/data/<token>/"):
    the path becomes the view's name and the status is added. The path of a supporter's data page
    holds the token that opens it, and a petition's or an appeal's confirmation path its key, so a
    log with paths would be a list of working links to supporters' data.

    On the loggers Django logs requests to, so every handler (and an operator's own) gets the
    rewritten record; and on the desk's handler, which also hears the loggers named per exception
    (django.security.DisallowedHost, ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest) or getattr(record, "_path_hidden", False):
            return True
        message = record.getMessage()
        label = view_label(request)
        paths = {request.path, request.path_info, request.get_full_path()}
        # log_response escapes its arguments ("\u4e2d" for 中) before they reach the message.
        paths |= {p.encode("unicode_escape").decode("ascii") for p in paths}
        for path in sorted(paths, key=len, reverse=True):
            if len(path) > 1:  # "/" holds no secret, and would take every slash of the message
                message = message.replace(path, label)
        status = getattr(record, "status_code", None)
        if status is not None:
            message = f"{message} ({status})"
        record.msg, record.args = message, ()
        record._path_hidden = True
        return True
