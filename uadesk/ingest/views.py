"""Staff bring in an Urgent Action document; the draft it makes opens for review beside its source."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from uadesk.actions.models import Action
from uadesk.actions.templatetags.actions import language_name
from uadesk.staff.decorators import staff_required

from .errors import IngestError
from .forms import IngestForm, TranslationChoiceForm
from .services import action_ingest
from .translations import NotATranslation, office_letter_in, translation_import

# What staff chose on the page that found the document's UA on the desk in another language.
AS_TRANSLATION, AS_NEW = "translation", "new"


@staff_required
def ingest(request):
    if not request.user.has_perm("actions.add_action"):
        raise PermissionDenied
    choice = request.POST.get("as", "") if request.method == "POST" else ""
    if choice == AS_TRANSLATION and not request.user.has_perm("actions.change_action"):
        raise PermissionDenied
    form = IngestForm()
    if request.method == "POST":
        files = request.FILES  # parsing the upload first sets upload_too_large, if it was
        form = IngestForm(request.POST, files, too_large=getattr(request, "upload_too_large", None))
        if form.is_valid():
            text = form.cleaned_data["source_text"]
            try:
                if choice == AS_TRANSLATION:
                    if added := translation_chosen(request, form, text):
                        return added
                else:
                    result = action_ingest(text=text, as_new=choice == AS_NEW)
                    if result.same_ua:
                        return same_ua(request, result, text)
                    return review(request, result)
            except IngestError as error:
                form.add_error(None, str(error))
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


def reference(document: dict) -> str:
    """How staff know the UA: its number, else its index number."""
    if number := document.get("ua_number"):
        return _("UA %(number)s") % {"number": number}
    return document.get("index_number") or ""


def same_ua(request, result, text: str):
    """Asks staff whether the document is the action's translation or an action of its own; the page
    carries the document's text, which the next request reads again."""
    action, language = result.action, result.language
    names = {
        "reference": reference(result.document),
        "language": language_name(language),
        "title": action.title,
        "original": language_name(action.case_language),
    }
    context = {
        **admin.site.each_context(request),
        "title": _("This UA is already on the desk"),
        "action": action,
        "text": text,
        "found": _(
            "This document is %(reference)s in %(language)s: the desk already has it as “%(title)s” "
            "(in %(original)s)."
        )
        % names,
        "as_translation": AS_TRANSLATION,
        "as_new": AS_NEW,
        "add_label": _("Add it as the %(language)s translation") % names,
        "may_translate": request.user.has_perm("actions.change_action"),
        "notes": [note % names for note in what_changes(action, result.document, language)],
    }
    return render(request, "ingest/same_ua.html", context)


def what_changes(action, document: dict, language: str) -> list[str]:
    """What adding the document as a translation does beyond adding its text: replace a translation the
    action has, add or leave its model letter."""
    notes = []
    if action.translations.filter(localisation__isnull=True, language__iexact=language).exists():
        notes.append(
            _(
                "The action already has a %(language)s translation: what the document gives replaces "
                "those parts."
            )
        )
    if office_letter_in(action, language) is not None:
        notes.append(_("The action already has a model letter in %(language)s: it stays as it is."))
    elif document.get("model_letter"):
        notes.append(_("The document's model letter becomes the action's letter in %(language)s."))
    return notes


def translation_chosen(request, form: IngestForm, text: str):
    """Adds the document as the chosen action's translation and opens the action; None, with the reason
    on the form, when it cannot be (the action is gone, or the document is not its UA any more)."""
    chosen = TranslationChoiceForm(request.POST)
    if not chosen.is_valid():
        for error in chosen.errors.get("action", []):
            form.add_error(None, error)
        return None
    action = chosen.cleaned_data["action"]
    names = {"title": action.title}
    try:
        translation = translation_import(action=action, text=text, user=request.user)
    except Action.DoesNotExist:
        form.add_error(None, TranslationChoiceForm.base_fields["action"].error_messages["invalid_choice"])
        return None
    except NotATranslation as refused:
        names["language"] = language_name(refused.language)
        if refused.reason == NotATranslation.SAME_LANGUAGE:
            message = _(
                "This document is in %(language)s, the language “%(title)s” is written in: it cannot be "
                "its translation."
            )
        else:
            message = _("This document is another UA than “%(title)s”: it cannot be its translation.")
        form.add_error(None, message % names)
        return None
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None
    names["language"] = language_name(translation.language)
    messages.success(
        request,
        _("The %(language)s translation of “%(title)s” is added: check it below, among the translations.")
        % names,
    )
    return redirect(reverse("admin:actions_action_change", args=[action.pk]))
