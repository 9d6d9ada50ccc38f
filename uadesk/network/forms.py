"""The network's forms: joining, a member's own choices, and staff's CSV import."""

import datetime

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import Theme
from uadesk.actions.templatetags.actions import language_name
from uadesk.countries import country_name

from . import imports
from .members import CASES_PER_MONTH, MEMBER_LANGUAGES, Choices, case_countries, reading_language
from .models import Member


def cases_label(count: int) -> str:
    return ngettext(
        "At most %(count)d case in any 30 days", "At most %(count)d cases in any 30 days", count
    ) % {"count": count}


class ChoicesForm(forms.Form):
    """What a member chooses, on the join page and on their own page."""

    language = forms.ChoiceField(label=_("The language you read best"))
    other_languages = forms.MultipleChoiceField(
        label=_("Other languages you read"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("We send each case in the first of your languages it is written in."),
    )
    channel = forms.ChoiceField(
        label=_("How you receive cases"),
        choices=Member.Channel.choices,
        initial=Member.Channel.EMAIL,
        widget=forms.RadioSelect,
    )
    postal_address = forms.CharField(
        label=_("Your name and postal address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        help_text=_("Only for cases by post. We keep it encrypted."),
    )
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=20)
    cases = forms.TypedChoiceField(
        label=_("How many cases"),
        required=False,
        coerce=int,
        empty_value=None,
        initial="",
        widget=forms.RadioSelect,
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries you want cases from"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every country."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes you want cases on"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every theme."),
    )

    def __init__(self, *args, member: Member | None = None, **kwargs):
        if member is not None:
            kwargs.setdefault("initial", initial_of(member))
        super().__init__(*args, **kwargs)
        languages = [(code, language_name(code)) for code in MEMBER_LANGUAGES]
        self.fields["language"].choices = languages
        self.fields["other_languages"].choices = languages
        if not self.is_bound and member is None:
            self.fields["language"].initial = reading_language(get_language() or "") or "en"
        counts = sorted(
            {*CASES_PER_MONTH, *([member.most_per_30_days] if member and member.most_per_30_days else [])}
        )
        self.fields["cases"].choices = [("", _("Every Urgent Action"))] + [
            (n, cases_label(n)) for n in counts
        ]
        # The countries of the published cases, and any the member chose before whose cases closed.
        codes = sorted({*case_countries(), *(member.country_list() if member else [])})
        reader = get_language() or settings.LANGUAGE_CODE
        self.fields["countries"].choices = sorted(
            ((code, country_name(code, reader) or code) for code in codes), key=lambda c: c[1].casefold()
        )
        # A choice with nothing to choose from is left off the page.
        if not codes:
            del self.fields["countries"]
        if not Theme.objects.exists():
            del self.fields["themes"]

    def clean(self):
        data = super().clean()
        if data.get("channel") == Member.Channel.POST and not (data.get("postal_address") or "").strip():
            self.add_error("postal_address", _("Cases by post need your name and postal address."))
        return data

    def choices(self) -> Choices:
        data = self.cleaned_data
        first = data["language"]
        return Choices(
            languages=[first, *(code for code in data["other_languages"] if code != first)],
            channel=data["channel"],
            postal_address=data["postal_address"],
            postcode=data["postcode"],
            most_per_30_days=data["cases"],
            countries=data.get("countries", []),
            themes=list(data.get("themes", [])),
            paused_until=data.get("paused_until"),
        )


def initial_of(member: Member) -> dict:
    languages = member.language_list()
    return {
        "language": languages[0] if languages else "",
        "other_languages": languages[1:],
        "channel": member.channel,
        "postal_address": member.postal_address,
        "postcode": member.postcode,
        "cases": member.most_per_30_days or "",
        "countries": member.country_list(),
        "themes": list(member.themes.all()),
        "paused_until": member.paused_until,
    }


class JoinForm(ChoicesForm):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send you an email to confirm that it is yours."),
    )
    field_order = ["email"]


class MemberForm(ChoicesForm):
    paused_until = forms.DateField(
        label=_("Pause until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("No cases until this day; empty: no pause."),
    )

    def clean_paused_until(self) -> datetime.date | None:
        day = self.cleaned_data.get("paused_until")
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(_("Choose a day after today, or leave it empty."))
        return day


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, one member a line, the first line naming the columns: email, languages, channel, "
            "postal_address, postcode, cases_per_month, countries, themes, consent. Several languages, "
            "countries or themes in one cell are separated by commas or semicolons."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    consent_origin = forms.CharField(
        label=_("Where the consent came from"),
        max_length=300,
        help_text=_(
            "E.g. “paper forms, letter-writing evening, November 2026”: kept with each member imported."
        ),
    )

    def __init__(self, *args, too_large: str | None = None, section=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.section = section  # the network imported into: the staff member's own

    def clean(self):
        data = super().clean()
        limit = {"limit": filesizeformat(imports.IMPORT_MAX_BYTES)}
        if self.too_large:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s, the most an import may be.") % limit
            )
        upload = data.get("file")
        if upload is None:
            return data
        if upload.size > imports.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s, the most an import may be.") % limit
            )
        try:
            data["checked"] = imports.members_check(upload.read(), section=self.section)
        except imports.ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return data
