"""The organiser's pages: their events, a new event, its pack to print, and the count of its letters."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from uadesk.actions.models import local_today
from uadesk.delivery.printing import PrintError
from uadesk.staff.decorators import staff_required

from .forms import EventForm, TallyForm
from .models import Event
from .services import (
    TallyRefused,
    event_create,
    event_pack,
    event_tally,
    event_tally_record,
    event_tally_targets,
)


def organiser(permission: str):
    """Staff (an organiser's account is a staff account) who hold `permission` in the events app."""

    def decorate(view):
        @staff_required
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.has_perm(f"events.{permission}"):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return checked

    return decorate


def _event(request, pk) -> Event:
    # Another group's event is as good as absent.
    return get_object_or_404(Event.objects.visible_to(request.user), pk=pk)


def base_url(request) -> str:
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


@organiser("view_event")
def event_list(request):
    events = Event.objects.visible_to(request.user).select_related("organiser").prefetch_related("actions")
    return render(request, "events/event_list.html", {"events": events[:200]})


@organiser("add_event")
def event_new(request):
    posted = request.POST if request.method == "POST" else None  # an empty POST is still a POST
    form = EventForm(posted, instance=Event(organiser=request.user))
    if posted is not None and form.is_valid():
        event = event_create(form=form, user=request.user)
        messages.success(request, _("The event is saved: download its pack and print it."))
        return redirect(event)
    return render(request, "events/event_form.html", {"form": form}, status=400 if form.errors else 200)


@organiser("view_event")
def event_detail(request, pk):
    event = _event(request, pk)
    today = local_today()
    counted = event_tally(event)
    targets = event_tally_targets(event)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "actions": [(a, a.is_open(today)) for a in event.actions.order_by("title")],
            "counted": [(t, counted.get(t.pk, 0)) for t in targets],
            "total": sum(counted.values()),
            "may_count": event.may_count(today),
            "can_count": request.user.has_perm("events.change_event"),
        },
    )


@organiser("view_event")
def event_pack_pdf(request, pk):
    event = _event(request, pk)
    try:
        pdf = event_pack(event=event, base_url=base_url(request))
    except PrintError as error:
        messages.error(request, _("The pack could not be made: %(error)s") % {"error": error})
        return redirect(event)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-pack.pdf"'
    return response


@organiser("change_event")
def event_count(request, pk):
    event = _event(request, pk)
    targets = event_tally_targets(event)
    posted = request.POST if request.method == "POST" else None
    form = TallyForm(posted, targets=targets, counted=event_tally(event))
    may_count = event.may_count()
    if posted is not None and may_count and form.is_valid():
        try:
            event_tally_record(event=event, letters=form.letters(), user=request.user)
        except TallyRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The letters are counted. Thank you!"))
            return redirect(event)
    return render(
        request,
        "events/event_tally.html",
        {"event": event, "form": form, "may_count": may_count},
        status=400 if request.method == "POST" else 200,
    )
