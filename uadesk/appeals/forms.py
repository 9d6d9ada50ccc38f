"""The supporter's compose form: the officials and how each letter goes, the letter's language, the letter
itself, and who signs it."""

import uuid
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.db.models import Case, When
from django.forms.boundfield import BoundField, BoundWidget
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import Action, Target
from uadesk.actions.templatetags.actions import language_attrs, language_name
from uadesk.countries import CountryField

from .letters import letter_clean, letter_prefill
from .models import Appeal

OWN_LANGUAGE = "own"


class ChannelField(forms.ChoiceField):
    """How the letter to one official goes: one of the channels that reach them from this desk. The form
    checks the choice, and only for an official the supporter writes to: a stale choice for one they
    did not tick is no error."""

    def validate(self, value) -> None:
        pass


@dataclass(frozen=True)
class Official:
    """One official on the form: the box that ticks them, and their own choice of channel."""

    target: Target
    checkbox: BoundWidget
    channel: BoundField


class ComposeForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput)
    targets = forms.ModelMultipleChoiceField(
        label=_("Who to write to"), queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one person to write to.")},
    )  # fmt: skip
    language = forms.ChoiceField(label=_("Letter language"), widget=forms.RadioSelect)
    body = forms.CharField(
        # dir="auto": the letter runs the way its own first letters do, whatever the page's language.
        label=_("Your letter"), widget=forms.Textarea(attrs={"rows": 18, "dir": "auto"}), max_length=10000,
        help_text=_("Each person's salutation is added above it, your name and town below it."),
        error_messages={"required": _("Write your letter, or start from the model letter.")},
    )  # fmt: skip
    subject = forms.CharField(
        label=_("Subject of your email"), max_length=300, required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=_("For a letter that goes by email. Empty: the campaign's subject."),
    )  # fmt: skip
    # Needed unless the letter goes without a name (clean()).
    name = forms.CharField(
        label=_("Your name"), max_length=120, required=False, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    town = forms.CharField(
        label=_("Your town"), max_length=120, required=False, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    # Not required: a form or script that sends no choice signs with the name, as the form always did.
    signed_as = forms.ChoiceField(
        label=_("What the officials see of you"), choices=Appeal.Signing.choices, required=False,
        initial=Appeal.Signing.NAME, widget=forms.RadioSelect,
        help_text=_(
            "If writing about this case could put you or your family at risk, sign with your initials or "
            "no name: the officials then get neither your name nor your email address."
        ),
    )  # fmt: skip
    country = CountryField(
        label=_("Your country"), required=False,
        help_text=_("Optional. Printed under your town on a letter you post."),
    )  # fmt: skip
    sender_blank = forms.BooleanField(
        label=_("On a letter I print and post, leave the sender's address blank: I fill it in by hand"),
        required=False,
    )
    email = forms.EmailField(
        label=_("Your email"), required=False,
        help_text=_(
            "Optional. We email you a link to confirm it; the desk sends your letters once you do. "
            "Then the official can reply to you, and you can see or erase your letters later. "
            "Kept encrypted; never shown to anyone."
        ),
    )  # fmt: skip

    wants_updates = forms.BooleanField(
        label=_("Email me news of this case (what happens to the people it is about)"), required=False,
        help_text=_("Needs your email above. You can stop it from the link in every email."),
    )  # fmt: skip

    def __init__(self, data=None, *args, action: Action, localisation=None, **kwargs):
        # An official no channel reaches from this desk is no one to write to here.
        self.targets_offered = [t for t in action.targets_for(localisation) if t.channels_offered()]
        if data is not None and data.get("channel"):
            # One `channel` for every official, as the form once took (and scripts still send), stands
            # for each official the post gives no channel of their own.
            data = data.copy()
            for target in self.targets_offered:
                data.setdefault(channel_field(target), data["channel"])
        super().__init__(data, *args, **kwargs)
        self.action = action
        self.localisation = localisation
        self.letters = {letter.language: letter for letter in action.letters_for(localisation)}
        targets = self.targets_offered
        # The section's targets follow the action's own, in the order the page shows them.
        order = Case(*[When(pk=t.pk, then=i) for i, t in enumerate(targets)], default=len(targets))
        self.fields["targets"].queryset = Target.objects.filter(pk__in=[t.pk for t in targets]).order_by(
            order
        )
        # The officials' names and positions are in the case's language, a section's in its own.
        self.fields["targets"].label_from_instance = lambda t: format_html(
            "<span{}>{}</span>",
            language_attrs("" if t.localisation_id else action.case_language),
            f"{t.display_name} — {t.title}" if t.title else t.display_name,
        )
        labels = dict(Appeal.Channel.choices)
        for target in targets:
            offered = target.channels_offered()
            self.fields[channel_field(target)] = ChannelField(
                label=_("How to send it"), choices=[(c, labels[c]) for c in offered], required=False,
                initial=offered[0], widget=forms.RadioSelect,
            )  # fmt: skip
        self.fields["language"].choices = [(code, language_name(code)) for code in self.letters] + [
            (OWN_LANGUAGE, _("My own language (start from an empty letter)"))
        ]
        self.fields["country"].with_choices()
        if not self.is_bound:
            primary = [t.pk for t in targets if t.role == t.Role.PRIMARY][:1]
            first = next(iter(self.letters), OWN_LANGUAGE)
            # What the caller gives (the official a "write to the next person" link names) wins.
            self.initial = {
                "key": uuid.uuid4(),
                "targets": primary,
                "language": first,
                "body": self.model_body(first),
                "subject": action.email_subject(self.letters.get(first)),
            } | self.initial

    def officials(self) -> list[Official]:
        """Each official with their box and their channels, for the page to show side by side."""
        boxes = {str(box.data["value"]): box for box in self["targets"]}
        return [Official(t, boxes[str(t.pk)], self[channel_field(t)]) for t in self.targets_offered]

    def other_fields(self) -> list[BoundField]:
        """The fields shown one after another below the officials."""
        officials = {"targets", *(channel_field(t) for t in self.targets_offered)}
        return [field for field in self.visible_fields() if field.name not in officials]

    def model_body(self, language: str) -> str:
        letter = self.letters.get(language)
        if not letter:
            return ""
        return letter_prefill(
            salutation="", model_body=letter.body, model_closing=letter.closing, name="", town="",
            language=language,
        )  # fmt: skip

    def clean_wants_updates(self) -> bool:
        if self.cleaned_data["wants_updates"] and not self.data.get("email", "").strip():
            raise forms.ValidationError(_("Give your email above, so that we can send you the news."))
        return self.cleaned_data["wants_updates"]

    def clean_body(self) -> str:
        return letter_clean(self.cleaned_data["body"])

    def clean_signed_as(self) -> str:
        return self.cleaned_data["signed_as"] or Appeal.Signing.NAME

    def clean(self):
        data = super().clean()
        if data.get("signed_as") != Appeal.Signing.NO_NAME and not data.get("name", "").strip():
            self.add_error("name", self.fields["name"].error_messages["required"])
        data["channels"] = {}
        for target in data.get("targets") or []:
            name = channel_field(target)
            channel = data.get(name, "")
            if not channel:
                error = gettext("Choose how to send your letter to %(name)s.") % {"name": target.display_name}
            elif channel not in target.channels_offered():
                # A channel the official has no address for says so; one this desk does not offer is
                # simply not a choice.
                reason = target.unreachable_reason(channel) if channel in Appeal.Channel.values else None
                error = reason or self.fields[name].error_messages["invalid_choice"] % {"value": channel}
            else:
                data["channels"][target.pk] = channel
                continue
            self.add_error(name, error)
        return data

    def channel_for(self, target: Target) -> str:
        return self.cleaned_data["channels"][target.pk]

    def signed_name(self) -> str:
        """The name as the letter is signed: whole, as initials, or none, as the supporter chose."""
        return Appeal.Signing(self.cleaned_data["signed_as"]).name_shown(self.cleaned_data["name"])

    def letter_for(self, target) -> str:
        """The whole letter one target receives: their salutation, the supporter's text, name and town."""
        data = self.cleaned_data
        return letter_prefill(
            salutation=target.salutation_for(self.letters.get(data["language"])),
            model_body=data["body"], model_closing="", name=self.signed_name(), town=data["town"],
            language="" if data["language"] == OWN_LANGUAGE else data["language"],
        )  # fmt: skip

    def clean_subject(self) -> str:
        # One line: a subject is a header, and a newline in it would start another.
        return " ".join(self.cleaned_data["subject"].split())

    def email_subject(self) -> str:
        """The supporter's subject, or the action's for the letter's language."""
        return self.cleaned_data.get("subject") or self.action.email_subject(
            self.letters.get(self.cleaned_data.get("language"))
        )


def channel_field(target: Target) -> str:
    """The name of the field that holds how the letter to this official goes."""
    return f"channel_{target.pk}"


class ReplyForm(forms.Form):
    """What the target answered: pasted, or as the document they sent (its text is kept, not the file).

    The document is read in a confined child process (uadesk/ingest/sandbox.py): anyone who has sent a
    letter can post here, and a hostile PDF or DOCX must cost the desk seconds, not minutes."""

    MAX_PAGES = 20  # an official's answer is a letter, not a report

    text = forms.CharField(
        label=_("Their answer"), widget=forms.Textarea(attrs={"rows": 10}), required=False, max_length=20000
    )
    document = forms.FileField(
        label=_("Or the answer as a file"), required=False,
        help_text=_("Text, PDF, Word (.docx), or a saved web page or email. We keep its text, not the file."),
    )  # fmt: skip
    received_on = forms.DateField(
        label=_("Received on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, refusal: str | None = None, too_large: bool = False, **kwargs):
        """`refusal`: why the view takes no reply from this connection now (its rate limit);
        `too_large`: the upload passed INGEST_MAX_BYTES and was not kept."""
        super().__init__(*args, **kwargs)
        self.refusal, self.too_large = refusal, too_large

    def clean(self):
        from uadesk.ingest.errors import DocumentTooLarge, IngestError
        from uadesk.ingest.forms import TOO_COMPLEX
        from uadesk.ingest.services import document_read

        data = super().clean()
        if self.refusal:
            raise forms.ValidationError(self.refusal)
        if self.too_large:
            raise forms.ValidationError(TOO_COMPLEX)
        text = (data.get("text") or "").strip()
        if document := data.get("document"):
            try:
                read = document_read(
                    data=document.read(),
                    filename=document.name,
                    max_pages=min(self.MAX_PAGES, settings.INGEST_MAX_PAGES),
                )
            except DocumentTooLarge:
                raise forms.ValidationError(TOO_COMPLEX) from None
            except IngestError as error:
                raise forms.ValidationError(str(error)) from None
            text = "\n\n".join(part for part in (text, read.strip()) if part)
        if not text:
            raise forms.ValidationError(_("Paste their answer, or choose the file they sent."))
        data["text"] = text[:20000]
        return data
