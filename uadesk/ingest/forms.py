"""The forms staff use to bring in an Urgent Action document, and to choose the action a translation joins."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import Action

from .errors import DocumentTooComplex, IngestError
from .readers import SUPPORTED
from .services import document_read

# A document past the reader's limits (CPU, memory, unpacked bytes, characters): the way out is its text.
# What the file chooser offers: the file types the readers take, and media types some systems go by.
ACCEPT = ",".join((*SUPPORTED, "text/plain", "application/pdf", "text/html", "message/rfc822"))
TOO_COMPLEX = _("This document is too large or too complex to read; paste its text instead.")


class IngestForm(forms.Form):
    document = forms.FileField(
        label=_("Urgent Action document"),
        required=False,
        help_text=_("A .txt, .pdf or .docx file, a web page saved as .html, or an email saved as .eml."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    text = forms.CharField(
        label=_("or paste its text"), required=False, widget=forms.Textarea(attrs={"rows": 8}), strip=False
    )

    def __init__(self, *args, too_large: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean(self):
        data = super().clean()
        if self.too_large:
            raise forms.ValidationError(
                _("%(name)s is larger than %(limit)s, the most a UA document may be.")
                % {"name": self.too_large, "limit": filesizeformat(settings.INGEST_MAX_BYTES)}
            )
        if "document" in self.errors:
            return data  # the file itself was refused (an empty file): that message says it all
        upload, pasted = data.get("document"), data.get("text") or ""
        if not upload and not pasted.strip():
            raise forms.ValidationError(_("Choose a document or paste its text."))
        try:
            if upload:
                text = document_read(data=upload.read(), filename=upload.name)
            else:
                text = document_read(data=pasted.encode(), filename="pasted.txt")
        except DocumentTooComplex:
            raise forms.ValidationError(TOO_COMPLEX) from None
        except IngestError as error:
            raise forms.ValidationError(str(error)) from None
        data["source_text"] = text
        return data


GONE = _("The action this document was to be added to is no longer on the desk: import the document again.")


class TranslationChoiceForm(forms.Form):
    """The action staff chose to add a translated document to, from the page that asked them."""

    action = forms.ModelChoiceField(
        queryset=Action.objects.all(), error_messages={"required": GONE, "invalid_choice": GONE}
    )
