"""Where each doubt of the import shows on the review page: beside the field of the draft it is about."""

from dataclasses import dataclass, field

# The parser's path of a field in its document (to_dict(); a list's index as *) → the draft's field that
# holds it. A path's first part names the part of the form: the action's own fields, or the rows of
# one of LISTS. A path not here goes to the nearest one that is ("targets.0.fax_note" to "targets", the
# top of the targets; an unknown top-level name to "document", the top of the form).
FIELDS: dict[str, str | None] = {
    "document": None,
    "kind": "kind",
    "title": "title",
    "ua_number": "ua_number",
    "index_number": "index_number",
    "issued_on": "issued_on",
    "summary": "summary",
    "additional_information": "additional_information",
    "asks": "asks",
    "preferred_languages": "preferred_languages",
    "deadline": "deadline",
    "previous_ua_urls": "previous_ua_urls",
    "delivery_notes": "delivery_notes",
    "individuals": None,
    "individuals.*.name": "name",
    "individuals.*.pronoun": "pronoun",
    "targets": None,
    "targets.*.role": "role",
    "targets.*.name": "name",
    "targets.*.honorific": "honorific",
    "targets.*.title": "title",
    "targets.*.address_lines": "address",
    "targets.*.native_address_lines": "native_address",
    "targets.*.native_language": "native_language",
    "targets.*.country": "country",
    "targets.*.emails": "emails",
    "targets.*.faxes": "faxes",
    "targets.*.phones": "phones",
    "targets.*.social": "social",
    "targets.*.salutation": "salutation",
    "model_letter": None,
    "model_letter.salutation": "salutation",
    "model_letter.body": "body",
    "model_letter.closing": "closing",
}
# The document's lists, each an inline of rows on the review page; the model letter is one row, 0.
LISTS = ("individuals", "targets", "model_letter")


@dataclass(frozen=True)
class Place:
    part: str  # "" for the action's own form, else one of LISTS
    row: int | None  # the row's index in the document's list; None for the part as a whole
    field: str | None  # the form field; None for the part as a whole


def place_of(about: str) -> Place:
    parts = about.split(".")
    pattern = ".".join("*" if p.isdigit() else p for p in parts)
    while pattern not in FIELDS and "." in pattern:
        pattern = pattern.rsplit(".", 1)[0]
    name = FIELDS.get(pattern)
    part = parts[0] if parts[0] in LISTS else ""
    if not part or name is None:
        return Place(part, None, name if not part else None)
    row = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return Place(part, row, name)


@dataclass
class Doubts:
    """An action's doubts sorted by where they show: the top of the form, a field of the action, the top
    of a list, a field of one of its rows."""

    top: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    rows: dict[tuple[str, int], dict[str, list[str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, stored: list) -> "Doubts":
        """From Action.ingest_doubts: a list of {"about": path, "text": ...}."""
        doubts = cls()
        for item in stored or []:
            about, text = (item.get("about"), item.get("text")) if isinstance(item, dict) else (None, None)
            if not isinstance(text, str) or not text:
                continue
            place = place_of(about if isinstance(about, str) else "document")
            if place.part and place.field:
                doubts.rows.setdefault((place.part, place.row), {}).setdefault(place.field, []).append(text)
            elif place.part:
                doubts.lists.setdefault(place.part, []).append(text)
            elif place.field:
                doubts.fields.setdefault(place.field, []).append(text)
            else:
                doubts.top.append(text)
        return doubts

    def of_row(self, part: str, row: int | None) -> dict[str, list[str]]:
        return self.rows.get((part, row), {}) if row is not None else {}
