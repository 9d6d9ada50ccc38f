"""Staff bring in an Urgent Action document; the draft it makes opens for review beside its source."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from uadesk.staff.decorators import staff_required

from .errors import IngestError
from .forms import IngestForm
from .services import action_ingest


@staff_required
def ingest(request):
    if not request.user.has_perm("actions.add_action"):
        raise PermissionDenied
    form = IngestForm()
    if request.method == "POST":
        files = request.FILES  # parsing the upload first sets upload_too_large, if it was
        form = IngestForm(request.POST, files, too_large=getattr(request, "upload_too_large", None))
        if form.is_valid():
            try:
                result = action_ingest(text=form.cleaned_data["source_text"])
            except IngestError as error:
                form.add_error(None, str(error))
            else:
                return review(request, result)
    context = {**admin.site.each_context(request), "form": form, "title": _("Import an Urgent Action")}
    return render(request, "ingest/ingest.html", context)


def review(request, result):
    action = result.action
    if result.created:
        messages.success(
            request, _("The document is now the draft below: check it beside its source, then publish.")
        )
    else:
        messages.warning(
            request, _("This document was imported before: it is the action below, nothing new was created.")
        )
    return redirect(reverse("admin:actions_action_change", args=[action.pk]))
