"""A UA document in another language added to the action that holds the original, as its translation."""

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language_info

from uadesk.actions.models import CONTROL_RE, Action, ModelLetter, Target, Translation, same_language
from uadesk.actions.services import _fit
from uadesk.staff import audit
from uadesk.writing import sentence_case

from .parser import parse
from .services import document_language, is_same_ua

# The columns of the action's own officials that each translated part stands for: a part longer than its
# column would not fit the translation form either.
OFFICIAL_PARTS = {part: Target._meta.get_field(part).max_length for part in ("title", "salutation")}


class NotATranslation(Exception):
    """The document is not the action's UA in another language; `reason` says which it is not."""

    OTHER_UA = "other_ua"
    SAME_LANGUAGE = "same_language"

    def __init__(self, reason: str, language: str = "") -> None:
        super().__init__(reason)
        self.reason, self.language = reason, language


def _one_line(value: str | None, limit: int) -> str:
    # As _fit does for a CharField: the parser may leave a line break from a PDF inside a position.
    return " ".join(CONTROL_RE.sub(" ", value or "").split())[:limit].rstrip()


def office_letter_in(action: Action, language: str) -> ModelLetter | None:
    """The action's own model letter in that language (or the same language with a region), if any."""
    return next(
        (
            letter
            for letter in action.letters.filter(localisation__isnull=True)
            if same_language(letter.language, language)
        ),
        None,
    )


def translation_add(*, action: Action, document: dict, language: str) -> Translation:
    """The action's translation (the office's, not a section's) into `language` from a parsed document:
    made, or brought up to date where the desk already has one; what the document leaves empty keeps
    what staff wrote. Each of the document's officials gives the position and salutation of the action's
    official in the same place of the list. Its model letter is added unless the action has one in that
    language already, which staff may have corrected. The action's own text and officials stay as they
    are; ValidationError says what the translation may not be (the action's own language)."""
    with transaction.atomic():
        # Locked: two imports of the same translation at once make one row, the later updating it.
        action = Action.objects.select_for_update().get(pk=action.pk)
        translation = Translation.objects.filter(
            action=action, localisation__isnull=True, language__iexact=language
        ).first() or Translation(action=action, localisation=None, language=language)
        parts = {
            "title": document.get("title") or "",
            "summary": document.get("summary") or "",
            "asks": "\n".join(document.get("asks") or []),
            "additional_information": document.get("additional_information") or "",
            "delivery_notes": "\n".join(document.get("delivery_notes") or []),
        }
        for name, value in parts.items():
            if value.strip():
                setattr(translation, name, value)
        officials = dict(translation.officials) if isinstance(translation.officials, dict) else {}
        own = action.targets.filter(localisation__isnull=True).order_by("position", "id")
        for target, theirs in zip(own, document.get("targets") or [], strict=False):
            given = {part: _one_line(theirs.get(part), limit) for part, limit in OFFICIAL_PARTS.items()}
            given = {part: text for part, text in given.items() if text}
            if given:
                officials[str(target.pk)] = {**officials.get(str(target.pk), {}), **given}
        translation.officials = officials
        _fit(translation)
        translation.full_clean()
        translation.save()
        letter = document.get("model_letter")
        if letter and (letter.get("body") or "").strip() and office_letter_in(action, language) is None:
            added = _fit(
                ModelLetter(
                    action=action,
                    localisation=None,
                    language=language,
                    subject=sentence_case(
                        translation.title, f"{translation.summary}\n{translation.additional_information}"
                    ),
                    salutation=letter.get("salutation") or "",
                    body=letter["body"],
                    closing=letter.get("closing") or "",
                )
            )
            added.full_clean()
            added.save()
        # The action's fields stay as they are; its date moves so the API's modified_since finds the
        # translation it now serves, as a target's change does.
        Action.objects.filter(pk=action.pk).update(updated_at=timezone.now())
    return translation


def english_name(language: str) -> str:
    """The language's English name for the logs, which every administrator reads alike."""
    for code in (language.lower(), language.split("-")[0].lower()):
        try:
            return get_language_info(code)["name"]
        except KeyError:
            continue
    return language


def translation_import(*, action: Action, text: str, user) -> Translation:
    """The document's text, read again, added as the action's translation by a staff member, who is
    named in the action's history and the audit log. IngestError: the text is not a UA (any more);
    NotATranslation: it is not this action's UA in another language."""
    parsed = parse(text)
    document = parsed.to_dict()
    language = document_language(parsed)
    if not is_same_ua(action, document):
        raise NotATranslation(NotATranslation.OTHER_UA, language)
    if same_language(language, action.case_language):
        raise NotATranslation(NotATranslation.SAME_LANGUAGE, language)
    with transaction.atomic():
        translation = translation_add(action=action, document=document, language=language)
        message = f"Added the {english_name(language)} translation ({language}) from an imported document."
        LogEntry.objects.log_actions(user.pk, [translation.action], CHANGE, message, single_object=True)
        audit.log("uadesk.action.changed", user=user, obj=translation.action, note=message)
    return translation
