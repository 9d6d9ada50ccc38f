"""The supporter's own data: see it, download it, erase it; and a new link to it by email."""

import contextlib
import datetime
import functools
import json
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from uadesk.actions.models import Action
from uadesk.database import rerun_safe
from uadesk.delivery.models import Message
from uadesk.ratelimit import allow, allow_request, client_address, network_of
from uadesk.security import same_site_form

from . import crypto, services
from .forms import LinkRequestForm, ReminderForm
from .links import LinkExpired, LinkInvalid, supporter_for
from .models import PrivacyNotice
from .news import StopInvalid, agreements, emails_stop, news_resume, reminder_ask, stop_read
from .outbox import data_link_queue


def by_link(view):
    """The view gets the supporter of the link's token; a dead link gets a page saying so.
    Nothing here is cached or indexed: the page is personal data."""

    @functools.wraps(view)
    @never_cache
    def wrapped(request, token, **kwargs):
        try:
            supporter = supporter_for(token)
        except LinkInvalid as error:
            response = render(
                request,
                "supporters/link_invalid.html",
                {"expired": isinstance(error, LinkExpired)},
                status=404,
            )
        else:
            response = view(request, supporter, token, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


def readable(value):
    """Any app's data as nested pairs and lists for the page, keys in plain words."""
    if isinstance(value, dict):
        return {"pairs": [(str(key).replace("_", " ").capitalize(), readable(v)) for key, v in value.items()]}
    if isinstance(value, list | tuple):
        return {"entries": [readable(v) for v in value]}
    if isinstance(value, bool):
        return {"text": _("yes") if value else _("no")}
    if value is None or value == "":
        return {"text": "—"}
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # holders may give times as ISO text
            value = parse_datetime(value) or value
    if isinstance(value, datetime.datetime):
        return {"when": timezone.localtime(value) if timezone.is_aware(value) else value}
    return {"text": value}


@by_link
def data(request, supporter, token):
    return render(
        request,
        "supporters/data.html",
        {
            "supporter": supporter,
            "token": token,
            "language": dict(settings.LANGUAGES).get(supporter.language, supporter.language),
            "held": [(holder.name, readable(held)) for holder, held in services.held_data(supporter)],
            "link_days": settings.SUPPORTER_LINK_MAX_AGE_DAYS,
            "retention_months": settings.SUPPORTER_RETENTION_MONTHS,
            "agreements": agreements(supporter),
        },
    )


@by_link
def download(request, supporter, token):
    exported = services.export(supporter)
    response = HttpResponse(
        json.dumps(exported, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.localdate():%Y-%m-%d}.json"'
    return response


@by_link
def erase(request, supporter, token):
    """GET asks to confirm; the POST from that page erases."""
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.erase(supporter, by="supporter")
        return redirect("supporters:erased")
    return render(
        request, "supporters/erase.html", {"token": token}, status=400 if request.method == "POST" else 200
    )


@require_POST
@by_link
def news_again(request, supporter, token, action_id):
    """News of a case they stopped, asked for again from their own data page."""
    news_resume(supporter=supporter, action=get_object_or_404(Action, pk=action_id))
    return redirect("supporters:data", token=token)


def erased(request):
    return render(request, "supporters/erased.html")


@rerun_safe  # its one write, the email's message, is made once: a second run finds it by the request's key
def link_request(request):
    """Always the same answer, known address or not: the page never tells whether someone is a supporter."""
    # Run again after its connection was lost: whether the first run's message was committed is known
    # only to the database (a cut as its INSERT committed leaves the answer lost), so look it up.
    key = request.__dict__.setdefault("_link_key", uuid.uuid4().hex)
    if (
        getattr(request, "_db_retried", False)
        and Message.objects.filter(kind=Message.Kind.DATA_LINK, params__request=key).exists()
    ):
        return redirect("supporters:link_sent")
    form = LinkRequestForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "supporters/link_request.html", {"form": form})
    if not form.is_valid():
        return render(request, "supporters/link_request.html", {"form": form}, status=400)
    if not allow_request(
        request,
        "supporter-link",
        per_address=settings.SUPPORTER_LINK_RATE_PER_ADDRESS,
        per_network=settings.SUPPORTER_LINK_RATE_PER_NETWORK,
    ):
        form.add_error(
            None, _("Many links were asked for from your connection. Please try again in an hour.")
        )
        return render(request, "supporters/link_request.html", {"form": form}, status=429)
    # The same work for every address: the task looks the supporter up, and does nothing for a stranger.
    email_hash = crypto.email_hash(form.cleaned_data["email"])
    # One inbox gets a few links an hour for the requests of each network, and a few more in all:
    # someone asking elsewhere in the owner's name cannot use up the owner's links, nor flood the
    # inbox. Over either, the same answer and no email, so neither tells whether the address is known.
    network = network_of(client_address(request))
    hour = 3600
    if allow(
        "supporter-link:email+network",
        f"{email_hash} {network}",
        limit=settings.SUPPORTER_LINK_RATE_PER_EMAIL_AND_NETWORK,
        window=hour,
    ) and allow(
        "supporter-link:email", email_hash, limit=settings.SUPPORTER_LINK_RATE_PER_EMAIL, window=hour
    ):
        data_link_queue(email_hash, request_key=key)
    return redirect("supporters:link_sent")


def link_sent(request):
    return render(request, "supporters/link_sent.html")


@same_site_form
@require_POST
@rerun_safe  # reminder_ask finds the supporter and the reminder of the action it made: a second run adds none
def remind(request, slug):
    """A supporter asks for one reminder before the deadline; the answer is the same whoever asks."""
    action = get_object_or_404(Action.objects.public(), slug=slug)
    form = ReminderForm(request.POST)
    if not action.is_open():
        return render(request, "supporters/reminder.html", {"action": action, "closed": True}, status=410)
    if not form.is_valid():
        return render(request, "supporters/reminder.html", {"action": action, "form": form}, status=400)
    if not allow_request(
        request,
        "remind",
        per_address=settings.REMINDER_RATE_PER_ADDRESS,
        per_network=settings.REMINDER_RATE_PER_NETWORK,
    ):
        return render(
            request, "supporters/reminder.html", {"action": action, "form": form, "limited": True}, status=429
        )
    reminder_ask(action=action, email=form.cleaned_data["email"])
    return render(request, "supporters/reminder.html", {"action": action, "done": True})


@csrf_exempt  # a mail app's one-click unsubscribe (RFC 8058) POSTs with no form; the signed link is the key
@never_cache
def stop(request, token):
    """Stops news of a case, or a reminder: a page with one button, or a mail app's one-click POST.
    Opening the link changes nothing (mail scanners open links); the POST does."""
    try:
        supporter, what, action = stop_read(token)
    except StopInvalid:
        return render(request, "supporters/link_invalid.html", status=404)
    context = {"what": what, "action": action}
    if request.method == "POST":
        emails_stop(supporter=supporter, what=what, action=action)
        return render(request, "supporters/stopped.html", context)
    return render(request, "supporters/stop.html", context)


def privacy(request):
    """The privacy notice staff wrote for the reader's language, or the desk's own account of it."""
    notice = PrivacyNotice.for_language(get_language() or settings.LANGUAGE_CODE)
    context = {
        "notice": notice,
        "organisation": settings.ORGANISATION_NAME,
        "months": settings.SUPPORTER_RETENTION_MONTHS,
    }
    return render(request, "supporters/privacy.html", context)
