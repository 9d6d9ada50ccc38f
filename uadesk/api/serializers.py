"""What the API says (resources as dicts, OSDI names) and what it accepts (every input checked by type)."""

import datetime
import json
from functools import cache
from pathlib import Path

from django.db.models import Q
from django.urls import reverse

from uadesk.actions.models import Action, ModelLetter, Target, Translation, lines
from uadesk.reports.feedback import OFF_DESK_CHANNELS, ON_DESK_CHANNELS, Feedback

from .http import ApiError

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "ingest" / "schema" / "urgent-action.schema.json"


@cache
def ingest_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def confirmed_filter() -> Q:
    return Q(signatures__confirmed_at__isnull=False)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


# -- What the API says -------------------------------------------------------------------------------


def target_data(target: Target) -> dict:
    return {
        "id": target.pk,
        "role": target.role,
        "honorific": target.honorific,
        "name": target.name,
        "native_name": target.native_name,
        "title": target.title,
        "address_lines": target.address_lines,
        "native_address_lines": target.native_address_lines,
        "native_language": target.native_language,
        "country": target.country,
        "emails": target.email_list,
        "faxes": target.fax_list,
        "phones": target.phone_list,
        "social": target.social_list,
        "salutation": target.salutation,
        "position": target.position,
    }


def letter_data(letter: ModelLetter) -> dict:
    return {
        "language": letter.language,
        "salutation": letter.salutation,
        "body": letter.body,
        "closing": letter.closing,
    }


def translation_data(translation: Translation, targets: list[Target]) -> dict:
    """The case in one more language, in the campaign's own names; the officials by their target id."""
    return {
        "language": translation.language,
        "title": translation.title,
        "description": translation.summary,
        "additional_information": translation.additional_information,
        "asks": lines(translation.asks),
        "delivery_notes": lines(translation.delivery_notes),
        "targets": [{"id": t.pk, **translation.official(t)} for t in targets if translation.official(t)],
    }


def campaign_data(request, action: Action) -> dict:
    """An action as an OSDI advocacy campaign; its own targets and letters (not a section's) inline."""
    base = reverse("api:campaign", kwargs={"slug": action.slug})
    own_targets = [t for t in action.targets.all() if t.localisation_id is None]
    return {
        "identifiers": [f"uadesk:{action.slug}"],
        "slug": action.slug,
        "title": action.title,
        "kind": action.kind,
        "status": action.status,
        "is_open": action.is_open(),
        "ua_number": action.ua_number,
        "index_number": action.index_number,
        "issued_on": _iso(action.issued_on),
        "description": action.summary,
        "additional_information": action.additional_information,
        "asks": action.ask_list,
        "preferred_languages": action.preferred_language_codes,
        "deadline": _iso(action.deadline),
        "deadline_extended_to": _iso(action.deadline_extended_to),
        "deadline_extension_reason": action.deadline_extension_reason,
        "effective_deadline": _iso(action.effective_deadline),
        "delivery_notes": action.delivery_note_list,
        "previous_ua_urls": action.previous_ua_url_list,
        "earlier": action.earlier.slug if action.earlier_id else None,
        "individuals": [
            {"name": i.name, "pronoun": i.pronoun, "status": i.status} for i in action.individuals.all()
        ],
        "targets": [target_data(t) for t in own_targets],
        "letters": [letter_data(m) for m in action.letters.all() if m.localisation_id is None],
        "language": action.case_language,
        "translations": [
            translation_data(t, own_targets) for t in action.translations.all() if t.localisation_id is None
        ],
        "total_outreaches": action.total_outreaches,
        "created_date": action.created_at,
        "modified_date": action.updated_at,
        "published_date": action.published_at,
        "browser_url": absolute(request, action.get_absolute_url()) if action.status != "draft" else None,
        "_links": {
            "self": absolute(request, base),
            "osdi:targets": absolute(request, base + "/targets"),
            "osdi:outreaches": absolute(request, base + "/outreaches"),
            "export": absolute(request, base + "/export"),
        },
    }


def action_document(action: Action) -> dict:
    """The action as `uadesk ingest --json` prints a UA document, so another desk can create it from this."""
    letter = next((m for m in action.letters.all() if m.localisation_id is None), None)
    return {
        "schema_version": "1",
        "kind": action.kind,
        "title": action.title,
        "ua_number": action.ua_number or None,
        "index_number": action.index_number or None,
        "issued_on": _iso(action.issued_on),
        "summary": action.summary,
        "individuals": [{"name": i.name, "pronoun": i.pronoun or None} for i in action.individuals.all()],
        "targets": [
            {
                "role": t.role,
                "name": t.name,
                "honorific": t.honorific or None,
                "title": t.title or None,
                "address_lines": t.address_lines,
                "native_address_lines": t.native_address_lines,
                "native_language": t.native_language or None,
                "country": t.country or None,
                "emails": t.email_list,
                "faxes": t.fax_list,
                "phones": t.phone_list,
                "social": t.social_list,
                "salutation": t.salutation or None,
            }
            for t in action.targets.all()
            if t.localisation_id is None
        ],
        "model_letter": {
            "salutation": letter.salutation or None,
            "body": letter.body,
            "closing": letter.closing or None,
        }
        if letter
        else None,
        "asks": action.ask_list,
        "additional_information": action.additional_information,
        "preferred_languages": action.preferred_language_codes,
        "deadline": _iso(action.deadline),
        "previous_ua_urls": action.previous_ua_url_list,
        "delivery_notes": action.delivery_note_list,
        "warnings": action.ingest_warning_list,
    }


def petition_data(request, petition, count: int) -> dict:
    return {
        "identifiers": [f"uadesk:{petition.slug}"],
        "slug": petition.slug,
        "title": petition.title,
        "description": petition.text,
        "petition_text": petition.text,
        "target": petition.addressee,
        "goal": petition.goal,
        "accepting": petition.accepting,
        "is_open": petition.is_open(),
        "closes_at": petition.closes_at,
        "action": petition.action.slug if petition.action_id else None,
        "campaign": petition.campaign.slug if petition.campaign_id else None,
        "total_signatures": count,
        "created_date": petition.created_at,
        "_links": {"self": absolute(request, reverse("api:petition", kwargs={"slug": petition.slug}))},
    }


def signature_data(signature) -> dict:
    # A signature counted without its name goes without the address too, which names its owner as well.
    supporter = None if signature.name_withheld else signature.supporter
    return {
        "id": signature.pk,
        "name": signature.name_shown,
        "country": signature.country,
        "email": supporter.email if supporter else None,
        "language": signature.language,
        "consent_case_updates": signature.consent_case_updates,
        "consent_org_news": signature.consent_org_news,
        "created_date": signature.created_at,
        "confirmed_date": signature.confirmed_at,
    }


def appeal_data(appeal) -> dict:
    # A letter signed with initials or no name keeps the writer's address from everyone, as its name.
    supporter = appeal.supporter if appeal.shows_writer() else None
    return {
        "id": appeal.pk,
        "target_id": appeal.target_id,
        "channel": appeal.channel,
        "status": appeal.status,
        "language": appeal.language,
        "name": appeal.supporter_name,
        "town": appeal.supporter_town,
        "country": appeal.supporter_country,
        "email": supporter.email if supporter else None,
        "created_date": appeal.created_at,
        "sent_date": appeal.sent_at,
    }


def _figures_data(figures) -> dict:
    # Every channel a desk may report is a key, 0 or not: a client reads the same shape every time.
    def by_channel(counts, channels: list[str]) -> dict[str, int]:
        return {c: counts[c] for c in [*channels, *sorted(set(counts) - set(channels))]}

    return {
        "on_desk": by_channel(figures.on_desk, ON_DESK_CHANNELS),
        "off_desk": by_channel(figures.off_desk, OFF_DESK_CHANNELS),
        "on_desk_total": figures.on_desk_total,
        "off_desk_total": figures.off_desk_total,
        "appeals": figures.appeals,
        "signatures": figures.signatures,
        "members_mailed": figures.members_mailed,
    }


def _desk_data(desk) -> dict:
    return {
        "section": desk.section_code or None,
        "name": desk.name,
        "country": desk.country,
        "counted_at": _iso(desk.counted_at),
        "received_at": _iso(desk.received_at),
        "final": desk.final,
        **_figures_data(desk.figures),
    }


def feedback_data(report: Feedback) -> dict:
    """An action's feedback report (uadesk/reports/feedback.py): counts and the officials' public names
    only. This desk's line is counted as it is asked for, so it has no counted_at: the answer's ETag
    changes only when a figure does."""
    action = report.action
    return {
        "action": {"id": action.pk, "slug": action.slug, "title": action.title, "ua_number": action.ua_number,
                   "status": action.status},
        "sections_reported": len(report.sections),
        "final_sections": report.final_sections,
        "sections": [_desk_data(desk) for desk in report.sections],
        "this_desk": _desk_data(report.this_desk),
        "total": _figures_data(report.total),
        "by_country": [
            {"country": c.code, "name": c.name, "this_desk": c.this_desk, "desks": c.desks,
             **_figures_data(c.figures)}
            for c in report.by_country
        ],
        "by_channel": [
            {"channel": c.channel, "on_desk": c.on_desk, "off_desk": c.off_desk, "appeals": c.appeals}
            for c in report.by_channel
        ],
        "by_official": [
            {"target_id": o.target_id, "name": o.name, "title": o.title, "on_desk": o.on_desk,
             "off_desk": o.off_desk, "appeals": o.appeals}
            for o in report.by_official
        ],
    }  # fmt: skip


# -- What the API accepts ----------------------------------------------------------------------------


def check_text(value, field: str) -> None:
    """No NUL and no lone surrogate anywhere: PostgreSQL refuses the first, UTF-8 cannot write the second."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ApiError(422, "invalid", "Text may not contain NUL characters.", field)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(422, "invalid", "Text must be valid Unicode.", field) from None
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_text(item, f"{field}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, field)
            check_text(item, f"{field}.{key}" if field else key)


_JSON_TYPES = {
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def _date_ok(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def validate_against(schema: dict, value, field: str = "") -> None:
    """Checks a value against the JSON Schema keywords the ingest contract uses (its file is the truth);
    the first problem is a 422 naming the field, e.g. targets[0].emails."""
    where = field or None
    if "const" in schema and value != schema["const"]:
        raise ApiError(422, "invalid", f"Must be {json.dumps(schema['const'])}.", where)
    if "enum" in schema and value not in schema["enum"]:
        raise ApiError(422, "invalid", f"Must be one of {', '.join(map(str, schema['enum']))}.", where)
    types = schema.get("type")
    if types:
        types = [types] if isinstance(types, str) else types
        if not any(_JSON_TYPES[t](value) for t in types):
            raise ApiError(422, "invalid", f"Must be {' or '.join(types)}.", where)
    if schema.get("format") == "date" and isinstance(value, str) and not _date_ok(value):
        raise ApiError(422, "invalid", "Must be a date, YYYY-MM-DD.", where)
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                raise ApiError(
                    422, "required", "This field is required.", f"{field}.{name}" if field else name
                )
        properties = schema.get("properties", {})
        for name, item in value.items():
            path = f"{field}.{name}" if field else name
            if name not in properties:
                if schema.get("additionalProperties") is False:
                    raise ApiError(422, "unknown_field", "This field is not part of the resource.", path)
                continue
            validate_against(properties[name], item, path)
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate_against(schema["items"], item, f"{field}[{i}]")


def document_validate(document: dict) -> dict:
    check_text(document, "")
    validate_against(ingest_schema(), document)
    return document


STRING, LINES, LIST, DATE, BOOL, INT = "string", "lines", "list", "date", "bool", "int"


def _convert(kind: str, value, field: str):
    if kind == STRING and isinstance(value, str):
        return value
    if kind in (LINES, LIST) and isinstance(value, list) and all(isinstance(v, str) for v in value):
        if any("\n" in v or "\r" in v for v in value):
            raise ApiError(422, "invalid", "One item per list entry, without line breaks.", field)
        return "\n".join(v.strip() for v in value) if kind == LINES else ", ".join(v.strip() for v in value)
    if kind == DATE and (value is None or (isinstance(value, str) and _date_ok(value))):
        return datetime.date.fromisoformat(value) if value else None
    if kind == BOOL and isinstance(value, bool):
        return value
    if kind == INT and isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2**31 - 1:
        return value
    expected = {
        STRING: "a string", LINES: "a list of strings", LIST: "a list of strings", DATE: "a date, YYYY-MM-DD",
        BOOL: "true or false", INT: "a whole number from 0",
    }[kind]  # fmt: skip
    raise ApiError(422, "invalid", f"Must be {expected}.", field)


def apply_fields(instance, data: dict, spec: dict[str, tuple[str, str]], *, required=()) -> None:
    """Sets the instance's attributes from the JSON fields named in spec ({field: (kind, attribute)});
    an unknown field, a wrong type or a missing required field is a 422 that names it."""
    check_text(data, "")
    for name in required:
        if name not in data:
            raise ApiError(422, "required", "This field is required.", name)
    for name, value in data.items():
        if name not in spec:
            raise ApiError(422, "unknown_field", "This field cannot be set here.", name)
        kind, attribute = spec[name]
        setattr(instance, attribute, _convert(kind, value, name))


TARGET_FIELDS = {
    "role": (STRING, "role"),
    "honorific": (STRING, "honorific"),
    "name": (STRING, "name"),
    "native_name": (STRING, "native_name"),
    "title": (STRING, "title"),
    "address_lines": (LINES, "address"),
    "native_address_lines": (LINES, "native_address"),
    "native_language": (STRING, "native_language"),
    "country": (STRING, "country"),
    "emails": (LINES, "emails"),
    "faxes": (LINES, "faxes"),
    "phones": (LINES, "phones"),
    "social": (LINES, "social"),
    "salutation": (STRING, "salutation"),
    "position": (INT, "position"),
}

ACTION_FIELDS = {
    "title": (STRING, "title"),
    "kind": (STRING, "kind"),
    "ua_number": (STRING, "ua_number"),
    "index_number": (STRING, "index_number"),
    "issued_on": (DATE, "issued_on"),
    "description": (STRING, "summary"),
    "additional_information": (STRING, "additional_information"),
    "asks": (LINES, "asks"),
    "preferred_languages": (LIST, "preferred_languages"),
    "deadline": (DATE, "deadline"),
    "deadline_extended_to": (DATE, "deadline_extended_to"),
    "deadline_extension_reason": (STRING, "deadline_extension_reason"),
    "delivery_notes": (LINES, "delivery_notes"),
    "previous_ua_urls": (LINES, "previous_ua_urls"),
}

PETITION_FIELDS = {
    "slug": (STRING, "slug"),
    "title": (STRING, "title"),
    "petition_text": (STRING, "text"),
    "target": (STRING, "addressee"),
    "goal": (INT, "goal"),
    "accepting": (BOOL, "accepting"),
}
