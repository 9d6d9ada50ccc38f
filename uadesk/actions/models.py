"""Campaigns, Urgent Actions, the individuals they are about, their targets and model letters."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from uadesk.writing import sentence_case, text_language

from .doubts import Doubts
from .names import pinyin

# BCP 47 as UAs use it: a language, optionally a script or region ("zh", "zh-Hans", "pt-BR").
LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
FAX_RE = re.compile(r"^\+?[\d\s().\-/]{6,}$")
# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: none belongs in a title
# or a name, and in an email subject or a mailto: link one breaks the line (a header of the sender's).
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
ONE_LINE = _("Use one line of text, without line breaks, tabs or other control characters.")
# A template's slot left where a name belongs ("[Group]", "<NAME>", "{name} (pronoun)"): never shown as one.
PLACEHOLDER_RE = re.compile(r"^(?:\s*(?:[\[<{][^\[\]<>{}]*[\]>}]|\([^()]*\)))+\s*$")


def one_line_errors(instance, fields: tuple[str, ...], errors: dict[str, list]) -> None:
    """Adds an error to each of the fields that holds a control character."""
    for name in fields:
        if CONTROL_RE.search(getattr(instance, name) or ""):
            errors.setdefault(name, []).append(ONE_LINE)


def lines(text: str) -> list[str]:
    """The non-empty lines of a one-item-per-line field, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def local_today() -> datetime.date:
    return timezone.localdate()


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A theme staff keep (death penalty, torture, freedom of expression…): actions carry themes,
    and network members choose the themes they want to hear of."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("code"), max_length=60, unique=True, help_text=_("Used in imports, e.g. death-penalty.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class ActionQuerySet(models.QuerySet):
    def with_effective_deadline(self) -> "ActionQuerySet":
        return self.annotate(effective_deadline_db=Coalesce("deadline_extended_to", "deadline"))

    def public(self) -> "ActionQuerySet":
        """What supporters may see: published actions and closed ones, never drafts."""
        return self.filter(status__in=[Action.Status.PUBLISHED, Action.Status.CLOSED])

    def with_outcomes_known(self) -> "ActionQuerySet":
        """Annotates ended_by_outcomes_db: Action.ended_by_outcomes() in SQL, so lists agree with pages."""
        # An individual's latest news is their own latest outcome or the whole case's, whichever is later.
        latest_news = Subquery(
            Outcome.objects.filter(
                Q(individual=OuterRef("pk")) | Q(individual__isnull=True, action=OuterRef("action"))
            )
            .order_by("-happened_on", "-id")
            .values("kind")[:1]
        )
        unresolved = (
            Individual.objects.filter(action=OuterRef("pk"))
            .annotate(latest_news=latest_news)
            .filter(Q(latest_news__isnull=True) | ~Q(latest_news__in=Outcome.FINAL_KINDS))
        )
        # "" where there is none: a NULL would make the whole test NULL, and an action about nobody by
        # name, with no news, would drop out of both the open and the closed lists.
        case_news = Coalesce(
            Subquery(
                Outcome.objects.filter(action=OuterRef("pk"), individual__isnull=True)
                .order_by("-happened_on", "-id")
                .values("kind")[:1]
            ),
            Value(""),
        )
        resolved = Q(has_individuals=True, has_unresolved=False) | Q(
            has_individuals=False, case_news__in=Outcome.FINAL_KINDS
        )
        return self.alias(
            has_individuals=Exists(Individual.objects.filter(action=OuterRef("pk"))),
            has_unresolved=Exists(unresolved),
            case_news=case_news,
        ).annotate(
            ended_by_outcomes_db=models.ExpressionWrapper(
                Q(keep_open_after_outcomes=False) & resolved, output_field=models.BooleanField()
            )
        )

    def open_on(self, day: datetime.date) -> "ActionQuerySet":
        return (
            self.with_effective_deadline()
            .with_outcomes_known()
            .filter(
                status=Action.Status.PUBLISHED, effective_deadline_db__gte=day, ended_by_outcomes_db=False
            )
            .order_by("effective_deadline_db", "title")
        )

    def closed_on(self, day: datetime.date) -> "ActionQuerySet":
        return (
            self.public()
            .with_effective_deadline()
            .with_outcomes_known()
            .filter(
                Q(status=Action.Status.CLOSED)
                | Q(effective_deadline_db__lt=day)
                | Q(ended_by_outcomes_db=True)
            )
            .order_by("-effective_deadline_db", "title")
        )


class Action(models.Model):
    """One Urgent Action: a case, its targets, its letter and its deadline."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    class Kind(models.TextChoices):
        URGENT_ACTION = "urgent_action", _("Urgent Action")
        UPDATE = "update", _("Update")
        FURTHER_INFORMATION = "further_information", _("Further information")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="actions",
    )  # fmt: skip
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.URGENT_ACTION)
    ua_number = models.CharField(_("UA number"), max_length=40, blank=True)
    index_number = models.CharField(_("index number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    summary = models.TextField(_("summary"))
    additional_information = models.TextField(_("additional information"), blank=True)
    asks = models.TextField(_("asks"), blank=True, help_text=_("One demand per line."))
    preferred_languages = models.CharField(
        _("preferred languages"), max_length=100, blank=True,
        help_text=_("Language codes in the order the UA gives them, separated by commas, e.g. “zh, en”."),
    )  # fmt: skip
    own_language_welcome = models.BooleanField(
        _("supporters may also write in their own language"), default=True
    )
    review_letters = models.BooleanField(
        _("staff read letters that differ from the model letter before they go"), default=False
    )
    held_words = models.TextField(
        _("words that hold a letter for review"), blank=True,
        help_text=_("One word or phrase per line; a letter containing one waits for a staff member."),
    )  # fmt: skip
    max_appeals_per_target_per_hour = models.PositiveIntegerField(
        _("most appeals the desk sends to one target in an hour"), default=60,
        help_text=_("Protects the targets' inboxes and the desk's reputation; the rest wait their turn."),
    )  # fmt: skip
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    deadline_extended_to = models.DateField(_("deadline extended to"), null=True, blank=True)
    deadline_extension_reason = models.CharField(_("reason for the extension"), max_length=300, blank=True)
    delivery_notes = models.TextField(
        _("delivery advice"), blank=True, help_text=_("One piece of advice per line.")
    )
    # Writing about their own country's government can put a supporter, or their family there, at risk:
    # the pages where they write and sign show this after the desk's own advice on writing unnamed.
    risk_notice = models.TextField(
        _("notice to writers at risk"), blank=True,
        help_text=_(
            "For instance for the country's diaspora. Shown before the letter form and the petition, after "
            "the desk's own advice on signing with initials and a town (in every language). Empty: no notice."
        ),
    )  # fmt: skip
    previous_ua_urls = models.TextField(
        _("links to previous UAs"), blank=True, help_text=_("One address per line.")
    )
    earlier = models.ForeignKey(
        "self", verbose_name=_("earlier UA on this desk"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="updates", help_text=_("The action this one updates: its page will point here."),
    )  # fmt: skip
    keep_open_after_outcomes = models.BooleanField(
        _("keep asking for letters once everyone has a final outcome"), default=False,
        help_text=_(
            "When every individual is released, acquitted, has their death sentence commuted… the action "
            "stops asking for letters, unless this is ticked."
        ),
    )  # fmt: skip
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="actions")
    # How many network members should write on this case before its deadline: the mailings' allocation
    # aims at it (empty: the desk's NETWORK_WRITERS_WANTED).
    writers_wanted = models.PositiveIntegerField(_("writers wanted from the network"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    source_sha256 = models.CharField(
        _("source document checksum"), max_length=64, blank=True, db_index=True, editable=False
    )
    source_text = models.TextField(_("source document text"), blank=True, editable=False)
    ingest_warnings = models.TextField(_("what the import was unsure of"), blank=True, editable=False)
    # The same warnings, each with the path of the field it is about ({"about": "targets.1.salutation",
    # "text": ...}): the review page shows each beside that field (doubts.py).
    ingest_doubts = models.JSONField(default=list, blank=True, editable=False)
    # As the import read it (en, es, ...); empty when it could not tell, or for an action not imported.
    source_language = models.CharField(
        _("language of the source document"), max_length=20, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            # One action per imported document, even when two staff upload it at once.
            models.UniqueConstraint(
                fields=["source_sha256"],
                condition=~Q(source_sha256=""),
                name="one_action_per_source_document",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(deadline__isnull=False),
                name="action_deadline_unless_draft",
                violation_error_message=_("A published or closed action needs a deadline."),
            ),
            models.CheckConstraint(
                condition=Q(deadline_extended_to__isnull=True)
                | Q(deadline_extended_to__gt=models.F("deadline")),
                name="action_extension_after_deadline",
                violation_error_message=_("An extended deadline must come after the original deadline."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, **kwargs) -> None:
        # The first publication is stamped here, whichever way the status was set (publish(), the staff
        # desk's form, the API); a later save, or publishing again after a spell as a draft, keeps it.
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
            if (fields := kwargs.get("update_fields")) is not None:
                kwargs["update_fields"] = {*fields, "published_at"}
        super().save(**kwargs)

    def get_absolute_url(self) -> str:
        return reverse("actions:detail", kwargs={"slug": self.slug})

    @property
    def effective_deadline(self) -> datetime.date | None:
        return self.deadline_extended_to or self.deadline

    def is_open(self, today: datetime.date | None = None) -> bool:
        """Supporters may act: published, the deadline (extension included) not yet passed, and the
        outcomes have not ended the call (ended_by_outcomes)."""
        if self.status != self.Status.PUBLISHED or self.effective_deadline is None:
            return False
        return self.effective_deadline >= (today or local_today()) and not self.ended_by_outcomes()

    def resolving_outcomes(self) -> list["Outcome"]:
        """Each individual's latest news, in their order, when every one of them has a final outcome
        (Outcome.FINAL_KINDS); empty while anyone's fate is open. The news of the whole case counts for
        everyone it is later than; an action about nobody in particular is resolved by its own."""
        outcomes = list(self.outcomes.select_related("individual").order_by("-happened_on", "-id"))
        case_news = next((o for o in outcomes if o.individual_id is None), None)
        individuals = list(self.individuals.all())
        if not individuals:
            return [case_news] if case_news and case_news.kind in Outcome.FINAL_KINDS else []
        latest = []
        for person in individuals:
            news = next((o for o in outcomes if o.individual_id in (None, person.pk)), None)
            if news is None or news.kind not in Outcome.FINAL_KINDS:
                return []
            if news.individual_id is None:
                news = Outcome(action=self, individual=person, kind=news.kind, happened_on=news.happened_on)
            latest.append(news)
        return latest

    def all_individuals_resolved(self) -> bool:
        return bool(self.resolving_outcomes())

    def resolution_summary(self) -> str:
        """One line of who had which final outcome, e.g. “Li Wei: Released; Zhang Min: Acquitted”."""
        return "; ".join(
            f"{o.individual.name}: {o.get_kind_display()}" if o.individual else str(o.get_kind_display())
            for o in self.resolving_outcomes()
        )

    def ending_outcomes(self) -> list["Outcome"]:
        """The final outcomes that end the call to act: resolving_outcomes(), unless staff keep the action
        open."""
        return [] if self.keep_open_after_outcomes else self.resolving_outcomes()

    def ended_by_outcomes(self) -> bool:
        """Every individual has a final outcome and staff did not keep the action open: it no longer
        asks for letters."""
        # A list made by with_outcomes_known() (the home page, the staff home) already knows: asking
        # again would cost each action of the list two queries.
        if (known := getattr(self, "ended_by_outcomes_db", None)) is not None:
            return known
        return bool(self.ending_outcomes())

    def is_closed(self, today: datetime.date | None = None) -> bool:
        return self.status == self.Status.CLOSED or (
            self.status == self.Status.PUBLISHED and not self.is_open(today)
        )

    def days_left(self, today: datetime.date | None = None) -> int | None:
        """Whole days until the deadline; 0 on its last day, None once closed."""
        if not self.is_open(today):
            return None
        return (self.effective_deadline - (today or local_today())).days

    def publish(self) -> None:
        self.status = self.Status.PUBLISHED
        self.full_clean()
        self.save()

    def close(self) -> None:
        self.status = self.Status.CLOSED
        self.save(update_fields=["status", "updated_at"])

    def extend_deadline(self, until: datetime.date, reason: str) -> None:
        self.deadline_extended_to = until
        self.deadline_extension_reason = reason
        self.full_clean()
        self.save()

    def targets_for(self, localisation: "Localisation | None" = None) -> list["Target"]:
        """The action's own targets, then those a section added for its readers; a section's target that
        replaces one of the action's (its country's embassy for the original's) takes its place."""
        added = list(localisation.targets.all()) if localisation else []
        instead = {t.replaces_id: t for t in added if t.replaces_id}
        own = [instead.get(t.pk, t) for t in self.targets.all() if t.localisation_id is None]
        return own + [t for t in added if t.replaces_id is None or t not in own]

    def text_in(self, language: str, localisation: "Localisation | None" = None) -> "CaseText":
        """The case for a reader of `language`: the section's translation first (on its page), then the
        office's, part by part, and the original for what neither translated."""
        original = self.case_language
        translations = [
            t
            for t in self.translations.all()
            if t.localisation_id is None
            or (localisation is not None and t.localisation_id == localisation.pk)
        ]
        # The section's before the office's; an exact code ("zh-hant") before a near one ("zh").
        sources = sorted(
            (t for t in translations if same_language(t.language, language)),
            key=lambda t: (t.localisation_id is None, t.language.lower() != language.lower()),
        )
        parts = {}
        for name in Translation.PARTS:
            found = next((s for s in sources if getattr(s, name).strip()), None)
            source = found or self
            parts[name] = Part(getattr(source, name), found.language if found else original)
        languages = [original]
        for t in sorted(translations, key=lambda t: t.language.lower()):
            if not same_language(t.language, original) and t.language.lower() not in map(
                str.lower, languages
            ):
                languages.append(t.language)
        return CaseText(
            language=sources[0].language if sources else original,
            asked=language,
            found=bool(sources) or same_language(language, original),
            parts=parts,
            sources=tuple(sources),
            languages=tuple(languages),
        )

    def letters_for(self, localisation: "Localisation | None" = None) -> list["ModelLetter"]:
        """The section's translations first, then the action's letters in languages it did not translate."""
        added = list(localisation.letters.all()) if localisation else []
        languages = {letter.language for letter in added}
        return added + [
            letter
            for letter in self.letters.all()
            if letter.localisation_id is None and letter.language not in languages
        ]

    def chain(self) -> list["Action"]:
        """The case's UAs on this desk, from the first to the newest published, this one included."""
        earlier, seen = [], {self.pk}
        node = self.earlier
        while node is not None and node.pk not in seen:  # a loop in bad data must not hang a page
            seen.add(node.pk)
            earlier.insert(0, node)
            node = node.earlier
        later, node = [], self
        while True:
            following = (
                node.updates.exclude(status=Action.Status.DRAFT)
                .exclude(pk__in=seen)
                .order_by("-published_at")
            ).first()
            if following is None:
                break
            seen.add(following.pk)
            later.append(following)
            node = following
        return [*earlier, self, *later]

    def newest_update(self) -> "Action | None":
        """The latest published UA of this case, if it is not this one."""
        newest = self.chain()[-1]
        return None if newest.pk == self.pk else newest

    @cached_property
    def case_language(self) -> str:
        """The language the case is told in (title, summary, asks, the targets' positions), which a page
        in another language marks as such. UAs come in English, German…: read from the title and the
        summary by script and commonest small words, the desk's own language when they give no sign."""
        return text_language(f"{self.title}\n{self.summary}", default=settings.LANGUAGE_CODE)

    def from_office(self) -> bool:
        """It came from an office desk's feed (uadesk/federation): the office's text is read-only here."""
        return self.pk is not None and hasattr(self, "feed_entry")

    def home_localisation(self) -> "Localisation | None":
        """The section's version that is this action's page on this desk: for an action from an office
        desk's feed, the localisation of the section the desk subscribed as; else none."""
        if not self.from_office():
            return None
        return self.localisations.filter(section_id=self.feed_entry.subscription.section_id).first()

    def email_subject(self, letter: "ModelLetter | None" = None) -> str:
        """The subject a letter by email carries unless the supporter changes it: the one staff set on
        the model letter of its language, else the title as a sentence (a UA's title is often in
        capitals, which reads as shouting in an official's inbox)."""
        if letter is not None and letter.subject:
            return letter.subject
        return sentence_case(self.title, f"{self.summary}\n{self.additional_information}")

    @property
    def ask_list(self) -> list[str]:
        return lines(self.asks)

    @property
    def delivery_note_list(self) -> list[str]:
        return lines(self.delivery_notes)

    @property
    def previous_ua_url_list(self) -> list[str]:
        return lines(self.previous_ua_urls)

    @property
    def held_word_list(self) -> list[str]:
        return [w.casefold() for w in lines(self.held_words)]

    @property
    def ingest_warning_list(self) -> list[str]:
        return lines(self.ingest_warnings)

    @cached_property
    def review_doubts(self) -> Doubts:
        return Doubts.of(self.ingest_doubts)

    @property
    def preferred_language_codes(self) -> list[str]:
        return [c.strip() for c in self.preferred_languages.split(",") if c.strip()]

    def case_countries(self) -> list[str]:
        """The countries the case is in: those of its primary officials (ISO codes, in their order)."""
        codes = [t.country.upper() for t in self.targets.all() if t.role == Target.Role.PRIMARY and t.country]
        return list(dict.fromkeys(codes))

    def clean(self) -> None:
        errors: dict[str, list] = {}
        one_line_errors(self, ("title",), errors)  # the subject of every letter, the mailto: link's too
        for code in self.preferred_language_codes:
            if not LANGUAGE_CODE_RE.match(code):
                errors.setdefault("preferred_languages", []).append(
                    _("“%(code)s” is not a language code such as “en” or “zh”.") % {"code": code}
                )
        validate_url = URLValidator(schemes=["http", "https"])
        for url in self.previous_ua_url_list:
            try:
                validate_url(url)
            except ValidationError:
                errors.setdefault("previous_ua_urls", []).append(
                    _("“%(url)s” is not a web address.") % {"url": url}
                )
        if self.deadline_extended_to:
            if self.deadline and self.deadline_extended_to <= self.deadline:
                errors.setdefault("deadline_extended_to", []).append(
                    _("The extended deadline must come after the deadline (%(deadline)s).")
                    % {"deadline": date_format(self.deadline)}
                )
            if not self.deadline_extension_reason.strip():
                errors.setdefault("deadline_extension_reason", []).append(
                    _("Say why the deadline is extended; supporters and sections will see it.")
                )
        if self.earlier_id is not None and self.pk is not None:
            node, hops = self.earlier, 0
            while node is not None and hops < 100:
                if node.pk == self.pk:
                    errors.setdefault("earlier", []).append(_("An action cannot be its own earlier UA."))
                    break
                node, hops = node.earlier, hops + 1
        if self.status != self.Status.DRAFT and self.deadline is None:
            errors.setdefault("deadline", []).append(_("A published action needs a deadline."))
        elif self.status == self.Status.PUBLISHED and self.effective_deadline < local_today():
            errors.setdefault("deadline", []).append(
                _(
                    "The deadline %(deadline)s has passed: an action cannot be published after its "
                    "deadline. Extend the deadline or set the action to closed."
                )
                % {"deadline": date_format(self.effective_deadline)}
            )
        if errors:
            raise ValidationError(errors)


class Individual(models.Model):
    """A person, or a group, the action is about."""

    class Status(models.TextChoices):
        AT_RISK = "at_risk", _("At risk")
        DETAINED = "detained", _("Detained")
        SENTENCED = "sentenced", _("Sentenced")
        MISSING = "missing", _("Missing")
        RELEASED = "released", _("Released")
        RELEASED_ON_BAIL = "released_on_bail", _("Released on bail")
        SAFE = "safe", _("Safe")
        DIED_IN_CUSTODY = "died_in_custody", _("Died in custody")
        EXECUTED = "executed", _("Executed")
        OTHER = "other", _("Other")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="individuals")
    name = models.CharField(_("name"), max_length=200)
    native_name = models.CharField(
        _("name in their own script"), max_length=200, blank=True,
        help_text=_("As they write it, e.g. in Chinese or Arabic; a Chinese name also shows in pinyin."),
    )  # fmt: skip
    pronoun = models.CharField(_("pronoun"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DETAINED)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("individual")
        verbose_name_plural = _("individuals")

    def __str__(self) -> str:
        return self.name or str(_("Someone not yet named"))

    @property
    def is_named(self) -> bool:
        """Has a name to show supporters: an import leaves a placeholder's name empty for staff to fill."""
        return bool(self.name.strip()) and not PLACEHOLDER_RE.match(self.name)

    def clean(self) -> None:
        if self.name.strip() and not self.is_named:
            message = _("“%(name)s” is a placeholder, not a name: write the person's or the group's name.")
            raise ValidationError({"name": message % {"name": self.name}})

    @property
    def native_name_pinyin(self) -> str | None:
        return pinyin(self.native_name)


class Target(models.Model):
    """An official supporters write to, with every way of reaching them."""

    class Role(models.TextChoices):
        PRIMARY = "primary", _("Primary target")
        ADDITIONAL = "additional", _("Additional target")
        COPY = "copy", _("Copy to")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="targets")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PRIMARY)
    honorific = models.CharField(_("honorific"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200)
    native_name = models.CharField(
        _("name in the country's own script"), max_length=200, blank=True,
        help_text=_("E.g. 习近平; a Chinese name also shows in pinyin, and the envelope carries it."),
    )  # fmt: skip
    title = models.CharField(_("position"), max_length=300, blank=True)
    address = models.TextField(
        _("postal address"), blank=True, help_text=_("One line per line of the envelope.")
    )
    native_address = models.TextField(
        _("postal address in the country's own script"), blank=True,
        help_text=_("As the UA gives it, e.g. in Chinese; printed on the envelope where the UA asks for it."),
    )  # fmt: skip
    native_language = models.CharField(_("language of that address"), max_length=20, blank=True)
    country = models.CharField(_("country code"), max_length=2, blank=True, help_text=_("ISO code, e.g. CN"))
    emails = models.TextField(_("email addresses"), blank=True, help_text=_("One per line."))
    faxes = models.TextField(_("fax numbers"), blank=True, help_text=_("One per line."))
    phones = models.TextField(_("phone numbers"), blank=True, help_text=_("One per line."))
    social = models.TextField(_("social media"), blank=True, help_text=_("One handle or link per line."))
    salutation = models.CharField(_("salutation"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    localisation = models.ForeignKey(
        "Localisation", verbose_name=_("added by the section"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="targets",
        help_text=_("Empty: a target of the action itself, shown everywhere."),
    )  # fmt: skip
    replaces = models.ForeignKey(
        "self", verbose_name=_("instead of"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="replaced_by",
        help_text=_("A section's official shown instead of one the action copies its letters to, e.g. "
                    "the embassy in the section's country instead of the original's."),
    )  # fmt: skip
    email_failing_since = models.DateTimeField(
        _("email bouncing since"), null=True, blank=True,
        help_text=_(
            "Set when letters of several supporters to this target bounced within a few days; take its "
            "email again once the address is corrected."
        ),
    )  # fmt: skip
    # Bounces before this (when staff last took the email again) no longer count towards failing.
    email_bounces_cleared_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()

    @property
    def text_language(self) -> str:
        """The language its name, position and Latin address are written in: the case's; "" (its own,
        unknown) for a target a section added, which the section writes in its language."""
        return "" if self.localisation_id else self.action.case_language

    @classmethod
    def email_take_again(cls, targets, now) -> int:
        """Staff corrected or checked these targets' email: supporters may write to it again, and the
        bounces so far no longer count towards marking it failing."""
        from uadesk import pagecache  # it imports the models' apps

        taken = targets.update(email_failing_since=None, email_bounces_cleared_at=now)
        pagecache.pages_changed()  # an update() sends no signal; the pages offer email again
        return taken

    @property
    def address_lines(self) -> list[str]:
        return lines(self.address)

    @property
    def native_address_lines(self) -> list[str]:
        return lines(self.native_address)

    @property
    def native_name_pinyin(self) -> str | None:
        return pinyin(self.native_name)

    @property
    def native_address_block(self) -> list[str]:
        """The address in the country's own script with the name where that script's letters put it:
        last in Chinese, Japanese and Korean, which go from the country down to the person."""
        if not self.native_name or not self.native_address_lines:
            return self.native_address_lines
        if self.native_language.split("-")[0].lower() in {"zh", "ja", "ko"}:
            return [*self.native_address_lines, self.native_name]
        return [self.native_name, *self.native_address_lines]

    @property
    def email_list(self) -> list[str]:
        return lines(self.emails)

    @property
    def fax_list(self) -> list[str]:
        return lines(self.faxes)

    @property
    def phone_list(self) -> list[str]:
        return lines(self.phones)

    @property
    def social_list(self) -> list[str]:
        return lines(self.social)

    def _addresses(self) -> dict[str, str]:
        """The addresses letters go to, each by a key that ignores how it is written (a fax's spaces and
        brackets, an email's case), mapped to the address as typed."""
        found = {f"email:{email.casefold()}": email for email in self.email_list}
        return found | {"fax:" + re.sub(r"[^\d+]", "", fax): fax for fax in self.fax_list}

    def new_addresses(self, saved: "Target") -> list[str]:
        """The email addresses and fax numbers this target has that its saved version had not: added or
        changed. Removing an address sends no letter anywhere new."""
        before = saved._addresses()
        return [address for key, address in self._addresses().items() if key not in before]

    def new_addresses_field(self, saved: "Target") -> str:
        """The field of the first new address, for an error to point at."""
        before = saved._addresses()
        new_email = any(key.startswith("email:") and key not in before for key in self._addresses())
        return "emails" if new_email else "faxes"

    def unreachable_reason(self, channel: str) -> str | None:
        """Why a letter by `channel` cannot reach this target, in a sentence for the supporter that says
        what to choose instead; None when it can. The channels are the values of Appeal.Channel (in the
        appeals app, which builds on this one): "email" and "mailto" need a working email address,
        "fax" a fax number, "post" a postal address."""
        if channel in ("email", "mailto"):
            if not self.email_list:
                reason = _("%(name)s has no email address: choose fax or post for them.")
            elif self.email_failing_since:
                reason = _("Letters to %(name)s's email address come back: choose fax or post for them.")
            else:
                return None
        elif channel == "fax":
            if self.fax_list:
                return None
            reason = _("%(name)s has no fax number: choose email or post for them.")
        elif channel == "post":
            if self.address_lines or self.native_address_lines:
                return None
            reason = _("%(name)s has no postal address: choose email or fax for them.")
        else:
            raise ValueError(f"no such channel: {channel!r}")
        return reason % {"name": self.display_name}

    def reachable_by(self, channel: str) -> bool:
        """A letter by `channel` (an Appeal.Channel value) can reach this target now."""
        return self.unreachable_reason(channel) is None

    # Every channel, in the order a supporter is offered them: the desk's email, its fax, the post, their
    # own mail app.
    CHANNELS = ("email", "fax", "post", "mailto")

    def channels_offered(self) -> list[str]:
        """The channels a supporter may choose for a letter to this target: those that reach it, fax only
        where this desk has a fax gateway (settings.FAX_GATEWAY_DOMAIN)."""
        return [
            channel
            for channel in self.CHANNELS
            if self.reachable_by(channel) and (channel != "fax" or settings.FAX_GATEWAY_DOMAIN)
        ]

    def salutation_for(self, letter: "ModelLetter | None") -> str:
        """How a letter to this target opens: its salutation translated into the letter's language, where
        the action (or the letter's section) has it; else its own salutation; else, for a primary target,
        the model letter's (which is written to the primary target); else “Dear” and the name."""
        translated = letter is not None and self.action_id is not None
        if translated and not same_language(letter.language, self.action.case_language):
            for translation in self.action.translations.all():
                ours = translation.localisation_id in (None, letter.localisation_id)
                salutation = translation.official(self).get("salutation")
                if ours and salutation and same_language(translation.language, letter.language):
                    return salutation
        if self.salutation:
            return self.salutation
        if letter is not None and letter.salutation and self.role == self.Role.PRIMARY:
            return letter.salutation
        return _("Dear %(name)s") % {"name": self.display_name}

    def redirects_letters(self, saved: "Target | None") -> bool:
        """Saving this over `saved` would send letters somewhere new: a new address on an existing target
        supporters can write to (an action no longer a draft) or have written to. A new target receives
        no letter written before it existed, so adding one redirects nothing."""
        if saved is None or not self.new_addresses(saved):
            return False
        return self.action.status != Action.Status.DRAFT or self.appeals.exists()

    def clean(self) -> None:
        errors: dict[str, list] = {}
        one_line_errors(self, ("honorific", "name", "native_name", "title", "salutation"), errors)
        validate_email = EmailValidator()
        for email in self.email_list:
            try:
                validate_email(email)
            except ValidationError:
                errors.setdefault("emails", []).append(
                    _("“%(email)s” is not an email address.") % {"email": email}
                )
        for fax in self.fax_list:
            if not FAX_RE.match(fax):
                errors.setdefault("faxes", []).append(
                    _("“%(fax)s” is not a fax number: use digits, spaces and a leading +.") % {"fax": fax}
                )
        if self.country:
            self.country = self.country.strip().upper()
            if not re.fullmatch(r"[A-Z]{2}", self.country):
                errors.setdefault("country", []).append(_("Use the two-letter ISO code, e.g. CN or GB."))
        if self.native_language and not LANGUAGE_CODE_RE.match(self.native_language):
            errors.setdefault("native_language", []).append(_("Use a language code such as “zh” or “ar”."))
        if self.replaces_id is not None:
            replaced = self.replaces
            # On the section's form the target learns its action only when saved (LocalisationAdmin).
            action_id = self.action_id or (self.localisation.action_id if self.localisation_id else None)
            if self.localisation_id is None:
                errors.setdefault("replaces", []).append(
                    _("Only a section's official can replace one of the action's.")
                )
            elif replaced.action_id != action_id or replaced.localisation_id is not None:
                errors.setdefault("replaces", []).append(
                    _("Choose an official of this action itself, not one a section added.")
                )
            elif replaced.role != self.Role.COPY:
                errors.setdefault("replaces", []).append(
                    _("A section can replace an official the action copies its letters to, not one it is "
                      "addressed to.")
                )  # fmt: skip
        if errors:
            raise ValidationError(errors)


EMPTY_LETTER = _("A model letter cannot be empty: write the letter's text.")


class ModelLetter(models.Model):
    """The model letter of an action in one language; a translation is another letter."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="letters")
    localisation = models.ForeignKey(
        "Localisation", verbose_name=_("translated by the section"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="letters",
    )  # fmt: skip
    language = models.CharField(_("language"), max_length=20, help_text=_("Language code, e.g. en or zh."))
    subject = models.CharField(
        _("email subject"), max_length=300, blank=True,
        help_text=_("The subject of letters sent by email in this language; supporters may change it."),
    )  # fmt: skip
    salutation = models.CharField(_("salutation"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    closing = models.CharField(_("closing"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("model letter")
        verbose_name_plural = _("model letters")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "language"],
                condition=Q(localisation__isnull=True),
                name="one_letter_per_language",
                violation_error_message=_("This action already has a model letter in this language."),
            ),
            models.UniqueConstraint(
                fields=["localisation", "language"],
                condition=Q(localisation__isnull=False),
                name="one_section_letter_per_language",
                violation_error_message=_("This section already has a model letter in this language."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} ({self.language})"

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.body) if p.strip()]

    def as_text(self) -> str:
        """The whole letter as a supporter would send it, before their own name."""
        parts = [f"{self.salutation}," if self.salutation else "", self.body.strip(), self.closing]
        return "\n\n".join(p for p in parts if p)

    def clean(self) -> None:
        if not self.body.strip():
            raise ValidationError({"body": EMPTY_LETTER})
        if not LANGUAGE_CODE_RE.match(self.language or ""):
            raise ValidationError({"language": _("Use a language code such as “en” or “zh”.")})


def same_language(a: str, b: str) -> bool:
    """Two language codes name the same language for a reader: equal, or one is the other with a region
    or script ("fr" and "fr-CH", "zh" and "zh-hans"); "zh-hans" and "zh-hant" are not."""
    a, b = (a or "").strip().lower(), (b or "").strip().lower()
    return bool(a and b) and (a == b or a.startswith(b + "-") or b.startswith(a + "-"))


class Translation(models.Model):
    """The case told in one more language: by the office beside the original, or by a section for its
    page. A part left empty is shown from the original, in the original's language."""

    # The parts of the case a translation holds, in the order the page shows them.
    PARTS = ("title", "summary", "asks", "additional_information", "delivery_notes", "risk_notice")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="translations")
    localisation = models.ForeignKey(
        "Localisation", verbose_name=_("translated by the section"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="translations",
    )  # fmt: skip
    language = models.CharField(
        _("language"), max_length=20, help_text=_("Language code, e.g. fr or zh-Hant.")
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    asks = models.TextField(_("asks"), blank=True, help_text=_("One demand per line."))
    additional_information = models.TextField(_("additional information"), blank=True)
    delivery_notes = models.TextField(
        _("delivery advice"), blank=True, help_text=_("One piece of advice per line.")
    )
    risk_notice = models.TextField(_("notice to writers at risk"), blank=True)
    # The officials' positions and salutations in this language, by target id: {"12": {"title": …,
    # "salutation": …}}. A salutation here opens letters written in this language.
    officials = models.JSONField(_("officials"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language", "id"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "language"],
                condition=Q(localisation__isnull=True),
                name="one_translation_per_language",
                violation_error_message=_("This action already has a translation in this language."),
            ),
            models.UniqueConstraint(
                fields=["localisation", "language"],
                condition=Q(localisation__isnull=False),
                name="one_section_translation_per_language",
                violation_error_message=_("This section already has a translation in this language."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} ({self.language})"

    def official(self, target: "Target") -> dict[str, str]:
        """The target's position and salutation in this language, where translated."""
        found = self.officials.get(str(target.pk)) if isinstance(self.officials, dict) else None
        return {key: str(found.get(key) or "") for key in ("title", "salutation")} if found else {}

    def clean(self) -> None:
        errors: dict[str, list] = {}
        self.language = (self.language or "").strip()
        if not LANGUAGE_CODE_RE.match(self.language):
            errors.setdefault("language", []).append(_("Use a language code such as “fr” or “zh-Hant”."))
        elif (
            self.action_id
            and self.localisation_id is None
            and same_language(self.language, self.action.case_language)
        ):
            errors.setdefault("language", []).append(
                _("The action itself is written in this language: correct it there.")
            )
        one_line_errors(self, ("title",), errors)
        if not any(getattr(self, part).strip() for part in self.PARTS) and not self.officials:
            errors.setdefault("title", []).append(_("A translation needs at least its title."))
        if not isinstance(self.officials, dict) or not all(
            isinstance(v, dict) and all(isinstance(x, str) for x in v.values())
            for v in self.officials.values()
        ):
            errors.setdefault("officials", []).append(_("Each official's position and salutation are text."))
        elif any(CONTROL_RE.search(x) for v in self.officials.values() for x in v.values()):
            errors.setdefault("officials", []).append(ONE_LINE)
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class Part:
    """A piece of the case as shown to a reader, with the language it is written in."""

    text: str
    language: str

    @property
    def lines(self) -> list[str]:
        return lines(self.text)

    def __bool__(self) -> bool:
        return bool(self.text.strip())

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class CaseText:
    """The case as one reader reads it: each part in the language asked for where it is translated,
    else in the original's; `found` says whether the reader's language was there at all."""

    language: str  # the language most of it is in
    asked: str
    found: bool
    parts: dict[str, Part]
    sources: tuple["Translation", ...]  # most specific first: the section's, then the office's
    languages: tuple[str, ...]  # every language the case can be read in here, the original first

    def __getattr__(self, name: str) -> Part:
        try:
            return self.parts[name]
        except KeyError:
            raise AttributeError(name) from None

    def official(self, target: "Target", part: str) -> Part:
        """A target's position or salutation in the reader's language where translated, else as written."""
        for source in self.sources:
            if text := source.official(target).get(part):
                return Part(text, source.language)
        return Part(getattr(target, part), target.text_language)


class Outcome(models.Model):
    """What happened to an individual, told to supporters who acted and asked to hear."""

    # What UAs' updates report. A final outcome answers the action's call for this person (they are
    # free, cleared, off death row, found safe) or ends it (they died); the others are news of a case
    # that goes on.
    class Kind(models.TextChoices):
        RELEASED = "released", _("Released")
        RELEASED_ON_BAIL = "released_on_bail", _("Released on bail")
        CHARGES_DROPPED = "charges_dropped", _("Charges dropped")
        ACQUITTED = "acquitted", _("Acquitted")
        DEATH_SENTENCE_COMMUTED = "death_commuted", _("Death sentence commuted")
        SENTENCE_REDUCED = "sentence_reduced", _("Sentence reduced")
        FOUND_SAFE = "found_safe", _("Found safe")
        WHEREABOUTS_DISCLOSED = "whereabouts_known", _("Whereabouts disclosed")
        ACCESS_GRANTED = "access_granted", _("Access to a lawyer or family granted")
        TRIAL_SET = "trial_set", _("Trial date set")
        SENTENCED = "sentenced", _("Sentenced")
        TRANSFERRED = "transferred", _("Transferred")
        MISSING = "missing", _("Missing")
        DIED_IN_CUSTODY = "died_in_custody", _("Died in custody")
        EXECUTED = "executed", _("Executed")
        OTHER = "other", _("Other news")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="outcomes")
    individual = models.ForeignKey(
        Individual, verbose_name=_("individual"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="outcomes", help_text=_("Empty: news of the whole case."),
    )  # fmt: skip
    kind = models.CharField(_("what happened"), max_length=20, choices=Kind.choices)
    happened_on = models.DateField(_("on"))
    public_note = models.TextField(
        _("public note"), help_text=_("Shown on the action page and sent by email.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.individual or self.action}"

    def clean(self) -> None:
        if self.individual_id and self.action_id and self.individual.action_id != self.action_id:
            raise ValidationError({"individual": _("This person is not part of this action.")})

    # The individual's status follows their latest outcome, so the page and the counts agree.
    STATUS_OF_KIND = {
        Kind.RELEASED: Individual.Status.RELEASED,
        Kind.RELEASED_ON_BAIL: Individual.Status.RELEASED_ON_BAIL,
        Kind.CHARGES_DROPPED: Individual.Status.RELEASED,
        Kind.ACQUITTED: Individual.Status.RELEASED,
        Kind.DEATH_SENTENCE_COMMUTED: Individual.Status.SENTENCED,
        Kind.SENTENCE_REDUCED: Individual.Status.SENTENCED,
        Kind.FOUND_SAFE: Individual.Status.SAFE,
        Kind.SENTENCED: Individual.Status.SENTENCED,
        Kind.MISSING: Individual.Status.MISSING,
        Kind.DIED_IN_CUSTODY: Individual.Status.DIED_IN_CUSTODY,
        Kind.EXECUTED: Individual.Status.EXECUTED,
    }
    # The outcomes after which the action no longer asks for letters for this person.
    FINAL_KINDS = frozenset({
        Kind.RELEASED, Kind.CHARGES_DROPPED, Kind.ACQUITTED, Kind.DEATH_SENTENCE_COMMUTED,
        Kind.FOUND_SAFE, Kind.DIED_IN_CUSTODY, Kind.EXECUTED,
    })  # fmt: skip

    @property
    def is_final(self) -> bool:
        return self.kind in self.FINAL_KINDS


class CaseNewsStop(models.Model):
    """A supporter asked for no more news of this case (the link in every news email): whatever their
    letters or signatures asked for, no outcome notice is made for them."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="news_stops")
    supporter = models.ForeignKey("supporters.Supporter", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "supporter"], name="one_news_stop_per_action")
        ]

    def __str__(self) -> str:
        return f"{self.action} ✕ #{self.supporter_id}"


class OutcomeNotice(models.Model):
    """One supporter told of one outcome: the row exists once, with its one message in the outbox
    (uadesk.delivery), so nobody hears the news twice."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="notices")
    supporter = models.ForeignKey("supporters.Supporter", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outcome", "supporter"], name="one_notice_per_supporter")
        ]

    def __str__(self) -> str:
        return f"{self.outcome} → #{self.supporter_id}"


class Reminder(models.Model):
    """A supporter asked to be reminded before the deadline, if they have not acted by then."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    supporter = models.ForeignKey("supporters.Supporter", on_delete=models.CASCADE, related_name="reminders")
    created_at = models.DateTimeField(auto_now_add=True)
    # When its message went into the outbox: once, by a conditional UPDATE.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "supporter"], name="one_reminder_per_action")
        ]

    def __str__(self) -> str:
        return f"{self.action} → #{self.supporter_id}"


class Section(models.Model):
    """A national section of the network: it localises actions for the supporters of its country."""

    code = models.SlugField(
        _("code"), max_length=20, unique=True, help_text=_("In addresses, e.g. “de” or “uk”.")
    )
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country code"), max_length=2, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.name


class Localisation(models.Model):
    """A section's version of an action: its own targets (its country's embassy), translated model letters
    and a later deadline if it wants one. The action itself is not touched."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="localisations")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="localisations")
    deadline = models.DateField(
        _("the section's deadline"), null=True, blank=True, help_text=_("Only later than the action's.")
    )
    introduction = models.TextField(_("the section's introduction"), blank=True)

    class Meta:
        verbose_name = _("localisation")
        verbose_name_plural = _("localisations")
        constraints = [
            models.UniqueConstraint(fields=["action", "section"], name="one_localisation_per_section")
        ]

    def __str__(self) -> str:
        return f"{self.action} ({self.section})"

    def get_absolute_url(self) -> str:
        return reverse("actions:localised", kwargs={"section": self.section.code, "slug": self.action.slug})

    @property
    def effective_deadline(self) -> datetime.date | None:
        action_deadline = self.action.effective_deadline
        if self.deadline and (action_deadline is None or self.deadline > action_deadline):
            return self.deadline
        return action_deadline

    def is_open(self, today: datetime.date | None = None) -> bool:
        if self.action.status != Action.Status.PUBLISHED or self.effective_deadline is None:
            return False
        return self.effective_deadline >= (today or local_today()) and not self.action.ended_by_outcomes()

    def days_left(self, today: datetime.date | None = None) -> int | None:
        if not self.is_open(today):
            return None
        return (self.effective_deadline - (today or local_today())).days

    def clean(self) -> None:
        earliest = self.action.effective_deadline if self.action_id else None
        if self.deadline and earliest and self.deadline <= earliest:
            raise ValidationError(
                    {"deadline": _("A section's deadline can only be later than the action's (%(date)s).")
                     % {"date": date_format(self.action.effective_deadline)}}
                )  # fmt: skip
