"""The network's public pages: joining, confirming, a member's own choices, and leaving; a section's
network has its own, with its code in the path (urls.py)."""

import re

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from uadesk.actions.models import Section
from uadesk.ratelimit import allow, allow_request
from uadesk.supporters import crypto
from uadesk.supporters.views import by_link

from .forms import JoinForm, MemberForm
from .members import (
    LeaveInvalid,
    leave_path,
    leave_read,
    member_choices_change,
    member_confirm,
    member_join,
    member_leave,
    member_suppression,
    network_name,
)
from .models import ActedReport, Member, Suppression
from .sending import ActedInvalid, acted_read, acted_record


def consent_context(section: Section | None = None) -> dict:
    # The consent names the network it is given to: a section's is not the office's, nor another's.
    return {
        "organisation": network_name(section),
        "section": section,
        "consent_version": settings.NETWORK_CONSENT_VERSION,
    }


def join(request, section=None):
    """Always the same answer, known address or not: the page never tells whether someone is a member.
    On a section's page (its code in the path) they join that section's network."""
    section = get_object_or_404(Section, code=section) if section else None
    form = JoinForm(request.POST if request.method == "POST" else None)
    context = {"form": form} | consent_context(section)
    if request.method != "POST":
        return render(request, "network/join.html", context)
    if not form.is_valid():
        return render(request, "network/join.html", context, status=400)
    if not allow_request(
        request,
        "network-join",
        per_address=settings.NETWORK_JOIN_RATE_PER_ADDRESS,
        per_network=settings.NETWORK_JOIN_RATE_PER_NETWORK,
    ):
        form.add_error(None, _("Many forms were sent from your connection. Please try again in an hour."))
        return render(request, "network/join.html", context, status=429)
    email = form.cleaned_data["email"]
    # A few emails an hour to one inbox, whoever asks; past that the same answer and no email.
    if allow(
        "network-join:email",
        crypto.email_hash(email),
        limit=settings.NETWORK_JOIN_EMAILS_PER_EMAIL,
        window=3600,
    ):
        member_join(email=email, choices=form.choices(), language=get_language() or "", section=section)
    return redirect("network:join_sent")


def join_sent(request):
    return render(request, "network/join_sent.html")


def _membership(supporter, token: str, code: str | None) -> tuple[Member | None, dict]:
    """The supporter's membership of the page's network (a section's by the code in its path, else the
    office's), and the addresses of its pages."""
    members = Member.objects.filter(supporter=supporter).select_related("supporter", "section")
    member = members.filter(section__code=code).first() if code else members.filter(section=None).first()
    named = {"section": code} if code else {}
    urls = {
        "member_url": reverse("network:member", kwargs={"token": token} | named),
        "confirm_url": reverse("network:confirm", kwargs={"token": token} | named),
        "join_url": reverse("network:join", kwargs=named),
    }
    return member, {"member": member, "token": token} | urls


@by_link
def member(request, supporter, token, section=None):
    """The member's own page, by the link of their data page: their choices, a pause, and leaving."""
    member, context = _membership(supporter, token, section)
    if member is None or member.status == Member.Status.LEFT:
        return render(request, "network/member.html", context)
    form = MemberForm(request.POST if request.method == "POST" else None, member=member)
    saved = False
    if request.method == "POST" and form.is_valid():
        member_choices_change(member=member, choices=form.choices())
        saved = True
        form = MemberForm(member=member)
    context |= {
        "form": form,
        "saved": saved,
        "leave_path": leave_path(member),
        "suppression": member_suppression(member),
    }
    return render(request, "network/member.html", context, status=400 if form.errors else 200)


def consent_text(request, section: Section | None = None) -> str:
    """The consent as the page shows it beside the button, as plain text: what is kept as its proof."""
    html = render_to_string("network/_consent.html", consent_context(section), request=request)
    return re.sub(r"\s+", " ", strip_tags(html)).strip()


# The link's token is the secret, and mail apps open links in browsers that keep no cookie of ours.
@csrf_exempt
@by_link
def confirm(request, supporter, token, section=None):
    """GET shows the choices, the consent and a button; the POST makes them a member of the page's
    network. Mail scanners open links: opening one changes nothing."""
    member, context = _membership(supporter, token, section)
    if member is None:
        return render(request, "network/member.html", context)
    if member.status == Member.Status.ACTIVE:
        return redirect(context["member_url"])
    suppression = member_suppression(member)
    context |= {"suppression": suppression} | consent_context(member.section)
    if suppression is not None and suppression.reason != Suppression.Reason.UNSUBSCRIBED:
        return render(request, "network/confirm.html", context, status=410)
    if request.method == "POST" and member_confirm(
        member=member, consent_text=consent_text(request, member.section)
    ):
        return render(request, "network/confirmed.html", context)
    return render(request, "network/confirm.html", context)


@csrf_exempt  # a mail app's one-click unsubscribe (RFC 8058) POSTs with no form; the signed link is the key
@never_cache
def leave(request, token):
    """A page with one button, or a mail app's one-click POST: off the network at once. Opening the
    link changes nothing (mail scanners open links); the POST does."""
    try:
        member, recipient_pk = leave_read(token)
    except LeaveInvalid:
        return render(request, "supporters/link_invalid.html", status=404)
    if request.method == "POST":
        member_leave(member=member, recipient_pk=recipient_pk)
        return render(request, "network/left.html")
    if member.status == Member.Status.LEFT:
        return render(request, "network/left.html")
    return render(request, "network/leave.html")


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
