"""A request's id, on every log line of the request and of the tasks it queues, in the worker too."""

import logging
import re
import time
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django_tasks_db.models import DBTaskResult

from .logs import request_id, task_id, view_label

log = logging.getLogger("uadesk.requests")
HEADER = "X-Request-ID"
# What a proxy in front (nginx's $request_id, a UUID) sends. Anything else is not taken: the id is
# written on every line, so a client must not be able to put text of its choosing there.
SANE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def sane(value) -> str | None:
    return value if isinstance(value, str) and SANE_ID.fullmatch(value) else None


class RequestIdMiddleware:
    """Gives each request an id (the proxy's, when sane), answers it in X-Request-ID and logs one line
    per request: its method, view, status and time, never its path (uadesk/logs.py says why)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = sane(request.headers.get(HEADER)) or uuid.uuid4().hex
        token = request_id.set(request.request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request.request_id
            # The desk's own CSS and fonts are a line each per page: they tell an operator nothing.
            if not request.path_info.startswith(settings.STATIC_URL):
                log.info(
                    "%s %s %s %d ms",
                    request.method,
                    view_label(request),
                    response.status_code,
                    (time.monotonic() - started) * 1000,
                )
            return response
        finally:
            request_id.reset(token)


# Django's tasks carry no metadata of their own, so the id rides in the task's row, beside its
# arguments, where the worker reads it back (task_context); the tasks' signatures stay as they are.
# Connected on import: the two places that set an id, the middleware and the worker, import this.
@receiver(pre_save, sender=DBTaskResult, dispatch_uid="uadesk.requestid.task_stamp")
def task_stamp(sender, instance: DBTaskResult, **kwargs) -> None:
    current = request_id.get()
    if instance._state.adding and current and isinstance(instance.args_kwargs, dict):
        instance.args_kwargs = {**instance.args_kwargs, "request_id": current}


@contextmanager
def task_context(result: DBTaskResult):
    """While the worker runs a task: its lines carry the task's id and the id of the request that
    queued it; tasks it queues in turn carry that request's id on."""
    stored = result.args_kwargs if isinstance(result.args_kwargs, dict) else {}
    tokens = request_id.set(sane(stored.get("request_id"))), task_id.set(str(result.id))
    try:
        yield
    finally:
        request_id.reset(tokens[0])
        task_id.reset(tokens[1])
