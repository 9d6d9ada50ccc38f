"""The network's public pages."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .models import ActedReport
from .sending import ActedInvalid, acted_read, acted_record


@never_cache
@require_http_methods(["GET", "POST"])
def acted(request, token, channel):
    """A member says they wrote off the desk. Opening the link counts nothing (mail scanners open
    links); the page's one button does, once per member, case and channel."""
    if channel not in ActedReport.Channel.values:
        return render(request, "network/acted_invalid.html", status=404)
    try:
        recipient = acted_read(token)
    except ActedInvalid:
        return render(request, "network/acted_invalid.html", status=404)
    context = {"action": recipient.mailing.action, "channel": ActedReport.Channel(channel)}
    if request.method == "POST":
        context["counted"] = acted_record(recipient, channel)
        context["done"] = True
    response = render(request, "network/acted.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response
