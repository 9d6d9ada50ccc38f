"""The desk's log lines: one line an event, as text or JSON, with the request's id and no personal data."""

import datetime
import json
import logging
import traceback
from contextvars import ContextVar
from pathlib import Path

from django.http import HttpRequest

# The request being answered, or that queued the task being run (uadesk/requestid.py sets both).
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
task_id: ContextVar[str | None] = ContextVar("task_id", default=None)
ROOT = Path(__file__).resolve().parent.parent


def view_label(request: HttpRequest) -> str:
    """The resolved URL name ("supporters:erase"), the kept page's (uadesk/pagecache.py, served before
    the URLs are read), or a word saying no route matched."""
    match = getattr(request, "resolver_match", None)
    if match:
        return match.view_name or match._func_path
    return getattr(request, "kept_page_of", None) or "(no route)"


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


class ContextFilter(logging.Filter):
    """Puts the request's id and the task's id on every record the desk's handler writes. Django logs
    a response's status after the middleware is done with it; the request on the record still knows."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = request_id.get() or getattr(request, "request_id", None)
        record.task_id = task_id.get()
        return True


class TaskRoutineFilter(logging.Filter):
    """On django.tasks: a task started and a task done are DEBUG, not INFO. The scheduler queues
    several tasks a minute, and two lines for each would bury a letter sent and a failure; a task
    that failed is an ERROR there and stays one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


def task_outcome(result) -> None:
    """One INFO line for a task that did something (a return value of counts, one of them not 0):
    "deliver_messages done: 1". Only numbers are written: a return value could be anything."""
    if result.status != "SUCCESSFUL" or not _counted(result.return_value):
        return
    value = result.return_value
    counts = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    logging.getLogger("uadesk.tasks").info("%s done: %s", result.task_path.rsplit(".", 1)[-1], counts)


def _counted(value) -> bool:
    def number(item) -> bool:
        return isinstance(item, int) and not isinstance(item, bool)

    if isinstance(value, list | tuple):
        return all(map(number, value)) and any(value)
    return number(value) and value != 0


class TextFormatter(logging.Formatter):
    """`2026-03-01 12:00:00 INFO uadesk.tasks req=… task=… deliver_messages done: 1`, one line."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.datetime.fromtimestamp(record.created).strftime("%Y-%m-%d %H:%M:%S")
        ids = {"req": getattr(record, "request_id", None), "task": getattr(record, "task_id", None)}
        shown = "".join(f" {key}={value}" for key, value in ids.items() if value)
        line = f"{when} {record.levelname} {record.name}{shown} {one_line(record.getMessage())}"
        if record.exc_info and record.exc_info[0]:
            error = exception_summary(record.exc_info)
            # The desk's own frame nearest the error says most; LOG_FORMAT=json gives the whole stack.
            ours = [frame for frame in error["stack"] if frame.startswith("uadesk/")]
            where = f" at {(ours or error['stack'])[-1]}" if error["stack"] else ""
            line += f" [{error['type']}{where}]"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request_id, task_id; with an
    exception, its type and its stack (files, lines, functions)."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        line = {
            "time": when.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "task_id": getattr(record, "task_id", None),
        }
        if record.exc_info and record.exc_info[0]:
            line["exception"] = exception_summary(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def exception_summary(exc_info) -> dict:
    """An exception's type and where it was raised, without its message: the message of a refused
    recipient, a bad value or a failed query quotes the address, the name or the data itself."""
    kind, _, trace = exc_info
    stack = [f"{_short(f.filename)}:{f.lineno} in {f.name}" for f in traceback.extract_tb(trace)]
    return {"type": f"{kind.__module__}.{kind.__qualname__}", "stack": stack}


def _short(filename: str) -> str:
    path = Path(filename)
    if path.is_relative_to(ROOT) and ".venv" not in path.parts:
        return str(path.relative_to(ROOT))
    return filename.rsplit("site-packages/", 1)[-1]


def one_line(message: str) -> str:
    return message.replace("\r", "\\r").replace("\n", "\\n")
