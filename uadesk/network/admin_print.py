"""The print run on the staff desk: a mailing's page for its members by post, with the run and its labels
to download and "Mark posted". `print_urls` go in the Mailing admin's own URLs (its get_urls). A section's
staff print their own section's mailings only."""

from functools import wraps

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from uadesk.actions.templatetags.actions import language_name
from uadesk.delivery.printing import PrintError
from uadesk.staff.decorators import staff_required
from uadesk.staff.sections import visible

from .models import Mailing
from .printrun import (
    mailing_mark_posted,
    print_run_labels_pdf,
    print_run_logged,
    print_run_pdf,
    print_run_recipients,
)


class RunForm(forms.Form):
    """What staff choose for a download: the paper or the label sheet, and the run they saw (`up_to`, the
    highest recipient id on the page), so that the PDF, the labels and "Mark posted" are the same members."""

    paper = forms.ChoiceField(
        label=gettext_lazy("Paper"), required=False, initial="a4",
        choices=[("a4", gettext_lazy("A4, for DL window envelopes (DIN 5008)")),
                 ("letter", gettext_lazy("US Letter, for #10 window envelopes"))],
    )  # fmt: skip
    duplex = forms.BooleanField(label=gettext_lazy("Printed on both sides"), required=False)
    # The names and wording of the label sheets the event packs offer (events.Event.LabelSheet).
    sheet = forms.ChoiceField(
        label=gettext_lazy("Label sheet"), required=False, initial="A4-21",
        choices=[("A4-21", gettext_lazy("A4, 21 labels of 70 × 42.3 mm (Avery Zweckform 3652 and alike)")),
                 ("A4-14", gettext_lazy("A4, 14 labels of 99.1 × 38.1 mm (Avery L7163 and alike)")),
                 ("Letter-30", gettext_lazy("US Letter, 30 labels of 2⅝ × 1 in (Avery 5160 and alike)"))],
    )  # fmt: skip
    up_to = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def _staff(*permissions: str):
    """A signed-in staff member with a verified second factor who holds every one of `permissions`; the
    answer is never cached (members' addresses stay in no cache on the way)."""

    def decorate(view):
        @staff_required
        @never_cache
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.has_perms(permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return checked

    return decorate


# The run prints members' names and postal addresses: those who may see members may print them.
SEE = ("network.view_mailing", "network.view_member")


def _mailing(request, pk: int, *related: str) -> Mailing:
    # Another section's mailing is not found: a section's staff do not learn it is there.
    mailings = Mailing.objects.select_related(*related) if related else Mailing.objects.all()
    return get_object_or_404(visible(mailings, request.user), pk=pk)


def _url(request, name: str, pk: int) -> str:
    # The views live wherever the admin mounts them (its "admin" namespace): links stay in that namespace.
    namespace = request.resolver_match.namespace if request.resolver_match else ""
    return reverse(f"{namespace}:{name}" if namespace else name, args=[pk])


def _back(request, mailing: Mailing, message: str | None = None):
    if message:
        messages.error(request, message)
    return redirect(_url(request, "network_mailing_print", mailing.pk))


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@_staff(*SEE)
def mailing_print(request, pk):
    mailing = _mailing(request, pk, "action")
    run = print_run_recipients(mailing)
    waiting = run.count()
    by_language = run.order_by().values_list("language").annotate(n=Count("pk")).values_list("language", "n")
    try:
        change_url = reverse("admin:network_mailing_change", args=[mailing.pk])
    except NoReverseMatch:
        change_url = ""
    return TemplateResponse(
        request,
        "network/admin/mailing_print.html",
        {
            **admin.site.each_context(request),
            "title": _("Print run: %(mailing)s") % {"mailing": mailing},
            "mailing": mailing,
            "change_url": change_url,
            "waiting": waiting,
            "languages": [(language_name(code), n) for code, n in sorted(by_language)],
            "form": RunForm(initial={"up_to": run.aggregate(last=Max("pk"))["last"]}),
            "run_url": _url(request, "network_mailing_print_run", mailing.pk),
            "labels_url": _url(request, "network_mailing_print_labels", mailing.pk),
            "posted_url": _url(request, "network_mailing_posted", mailing.pk),
            "can_mark": request.user.has_perm("network.change_mailing"),
        },
    )


@require_GET
@_staff(*SEE)
def mailing_print_run(request, pk):
    mailing = _mailing(request, pk, "action", "outcome")
    form = RunForm(request.GET)
    if not form.is_valid():
        return _back(request, mailing, _("The print run could not be made: choose A4 or US Letter."))
    up_to = form.cleaned_data["up_to"]
    try:
        pdf = print_run_pdf(
            mailing, paper=form.cleaned_data["paper"] or "a4", duplex=form.cleaned_data["duplex"], up_to=up_to
        )
    except PrintError as error:
        return _back(request, mailing, _("The print run could not be made: %(error)s") % {"error": error})
    count = print_run_recipients(mailing, up_to=up_to).count()
    print_run_logged(mailing=mailing, user=request.user, part="run", count=count)
    return _pdf(pdf, f"mailing-{mailing.pk}-print-run.pdf")


@require_GET
@_staff(*SEE)
def mailing_print_labels(request, pk):
    mailing = _mailing(request, pk)
    form = RunForm(request.GET)
    if not form.is_valid():
        return _back(request, mailing, _("The labels could not be made: choose one of the label sheets."))
    up_to = form.cleaned_data["up_to"]
    try:
        pdf = print_run_labels_pdf(mailing, sheet=form.cleaned_data["sheet"] or "A4-21", up_to=up_to)
    except PrintError as error:
        return _back(request, mailing, _("The labels could not be made: %(error)s") % {"error": error})
    count = print_run_recipients(mailing, up_to=up_to).count()
    print_run_logged(mailing=mailing, user=request.user, part="labels", count=count)
    return _pdf(pdf, f"mailing-{mailing.pk}-labels.pdf")


@require_POST
@_staff("network.view_mailing", "network.change_mailing")
def mailing_posted(request, pk):
    mailing = _mailing(request, pk)
    form = RunForm(request.POST)
    if not form.is_valid() or form.cleaned_data["up_to"] is None:
        # Without the run staff saw, members added since would be marked posted unprinted.
        return _back(request, mailing, _("Open the print run again, then mark it posted."))
    marked = mailing_mark_posted(mailing=mailing, user=request.user, up_to=form.cleaned_data["up_to"])
    if marked:
        messages.success(
            request,
            _("%(count)d letters marked posted; %(total)d posted for this mailing in all.")
            % {"count": marked, "total": mailing.posted_count},
        )
    else:
        messages.info(request, _("Nothing left to mark: this run was marked posted already."))
    return _back(request, mailing)


# Paths below the Mailing admin's own ("<pk>/print/" next to "<pk>/change/").
print_urls = [
    path("<int:pk>/print/", mailing_print, name="network_mailing_print"),
    path("<int:pk>/print/run.pdf", mailing_print_run, name="network_mailing_print_run"),
    path("<int:pk>/print/labels.pdf", mailing_print_labels, name="network_mailing_print_labels"),
    path("<int:pk>/print/posted/", mailing_posted, name="network_mailing_posted"),
]
