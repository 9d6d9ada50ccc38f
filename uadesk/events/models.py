"""Letter-writing events: a group meets, writes to the officials of open actions, and reports its letters."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from uadesk.actions.models import LANGUAGE_CODE_RE, Action, Target, local_today

MAX_WRITERS = 1000  # the check constraint below says the number in its message
# Labels are printed per writer and official: 4,000 are 190 sheets of 21, and about 6 seconds of
# Typst on one core (bench/event_pack.py).
MAX_LABELS = 4000
# Letters to one official from one event: more than this is a typing slip, not a count.
MAX_TALLY = 10000


class EventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "EventQuerySet":
        """An organiser sees their own events; staff who may see every group's see them all."""
        if user.has_perm("events.view_all_events"):
            return self
        return self.filter(organiser=user)


def postal_targets(action: Action) -> list[Target]:
    """The officials of an action a letter can be posted to: those with an address in any script."""
    return [t for t in action.targets.all() if t.address_lines or t.native_address_lines]


class Event(models.Model):
    """One letter-writing event for one or several open actions."""

    # Each names only the products whose published labels fit the sheet (geometry.PRODUCTS, tested).
    class LabelSheet(models.TextChoices):
        A4_21 = "A4-21", _("A4, 21 labels of 70 × 42.3 mm (Avery Zweckform 3652 and alike)")
        A4_14 = "A4-14", _("A4, 14 labels of 99.1 × 38.1 mm (Avery L7163 and alike)")
        LETTER_30 = "Letter-30", _("US Letter, 30 labels of 2⅝ × 1 in (Avery 5160 and alike)")

    name = models.CharField(_("name"), max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="events"
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    actions = models.ManyToManyField(Action, verbose_name=_("actions"), related_name="events")
    expected_writers = models.PositiveIntegerField(
        _("expected writers"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WRITERS)],
        help_text=_("The pack has an address label per writer and official, and a tally box per writer."),
    )
    languages = models.CharField(
        _("letter languages"), max_length=100,
        help_text=_("Language codes of the model letters to print, separated by commas, e.g. “en, fr”."),
    )  # fmt: skip
    label_sheet = models.CharField(
        _("label sheet"), max_length=20, choices=LabelSheet.choices, default=LabelSheet.A4_21,
        help_text=_("The pack is printed on this sheet's paper: A4, or US Letter."),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    tallied_at = models.DateTimeField(_("letters last counted"), null=True, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("letter-writing event")
        verbose_name_plural = _("letter-writing events")
        permissions = [("view_all_events", _("Can see and count the letters of every organiser's events"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_writers__gte=1) & Q(expected_writers__lte=MAX_WRITERS),
                name="event_writers_in_range",
                violation_error_message=_("Expect between 1 and 1000 writers."),
            ),
            models.CheckConstraint(
                condition=Q(label_sheet__in=["A4-21", "A4-14", "Letter-30"]), name="event_known_label_sheet"
            ),
            models.CheckConstraint(condition=~Q(languages=""), name="event_has_a_letter_language"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({date_format(self.date)})"

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    @property
    def language_codes(self) -> list[str]:
        return [c.strip() for c in self.languages.split(",") if c.strip()]

    def may_count(self, today: datetime.date | None = None) -> bool:
        """Letters are counted once they are written: from the event's day on."""
        return self.date <= (today or local_today())

    def action_problems(self, actions, *, today: datetime.date | None = None) -> list[str]:
        """Why these actions cannot go into this event's pack; an action already in the event may
        have closed since, and stays (the pack leaves it out, its letters are still counted)."""
        today = today or local_today()
        kept = set(self.actions.values_list("pk", flat=True)) if self.pk else set()
        codes = set(self.language_codes)
        problems = []
        for action in actions:
            if action.pk not in kept:
                if not action.is_open(today):
                    problems.append(_("“%(title)s” is not open.") % {"title": action.title})
                    continue
                if action.effective_deadline < self.date:
                    problems.append(
                        _("“%(title)s” closes on %(deadline)s, before the event.")
                        % {"title": action.title, "deadline": date_format(action.effective_deadline)}
                    )
            if codes and not any(letter.language in codes for letter in action.letters.all()):
                problems.append(
                    _("“%(title)s” has no model letter in the languages chosen.") % {"title": action.title}
                )
            if not postal_targets(action):
                problems.append(
                    _("“%(title)s” has no official with a postal address.") % {"title": action.title}
                )
        labels = self.expected_writers * sum(len(postal_targets(a)) for a in actions)
        if self.expected_writers and labels > MAX_LABELS:
            problems.append(
                _(
                    "That is %(labels)d address labels, more than the %(max)d one pack holds: choose fewer "
                    "actions or writers, and make a second event for the rest."
                )
                % {"labels": labels, "max": MAX_LABELS}
            )
        return problems

    def clean(self) -> None:
        errors: dict[str, list] = {}
        codes = self.language_codes
        if not codes:
            errors["languages"] = [_("Choose at least one language for the model letters.")]
        for code in codes:
            if not LANGUAGE_CODE_RE.match(code):
                errors.setdefault("languages", []).append(
                    _("“%(code)s” is not a language code such as “en” or “zh”.") % {"code": code}
                )
        if len(codes) != len(set(codes)):
            errors.setdefault("languages", []).append(_("Name each language once."))
        if errors:
            raise ValidationError(errors)
