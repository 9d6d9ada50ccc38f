"""The one table from the parser's field paths to the review page's fields, and where a path it does not
know goes."""

import pytest
from django.contrib.admin.utils import flatten_fieldsets

from uadesk.actions.admin import ActionAdmin, IndividualInline, ModelLetterInline, TargetInline
from uadesk.actions.doubts import FIELDS, Doubts, Place, place_of


@pytest.mark.parametrize(
    ("about", "place"),
    [
        ("title", Place("", None, "title")),
        ("issued_on", Place("", None, "issued_on")),
        ("document", Place("", None, None)),
        ("individuals.0.name", Place("individuals", 0, "name")),
        ("targets.2.address_lines", Place("targets", 2, "address")),
        ("targets.2.native_address_lines", Place("targets", 2, "native_address")),
        ("targets.0.emails.1", Place("targets", 0, "emails")),  # one address of the list: the field
        ("targets", Place("targets", None, None)),
        ("model_letter", Place("model_letter", None, None)),
        ("model_letter.closing", Place("model_letter", 0, "closing")),
        # Paths a later parser may add: the nearest place the page knows, never lost.
        ("targets.1.office_hours", Place("targets", None, None)),
        ("targets.1", Place("targets", None, None)),
        ("signatories", Place("", None, None)),
    ],
)
def test_each_path_has_its_place(about, place):
    assert place_of(about) == place


def test_every_field_of_the_table_is_on_the_review_page():
    shown = {
        "": flatten_fieldsets(ActionAdmin.fieldsets),
        "individuals": IndividualInline.fields,
        "targets": flatten_fieldsets(TargetInline.fieldsets),
        "model_letter": ModelLetterInline.fields,
    }
    for about, field in FIELDS.items():
        place = place_of(about)
        assert place.field == field
        if field:
            assert field in shown[place.part], about


def test_doubts_are_sorted_by_place_and_keep_their_order():
    doubts = Doubts.of(
        [
            {"about": "targets.1.salutation", "text": "no salutation"},
            {"about": "targets.1.salutation", "text": "or two"},
            {"about": "deadline", "text": "no deadline"},
            {"about": "individuals", "text": "nobody"},
            {"about": "document", "text": "cut off"},
            {"about": 7, "text": "odd"},  # a stored row gone wrong still shows, at the top
            {"about": "title"},  # and one with no text does not
        ]
    )
    assert doubts.of_row("targets", 1) == {"salutation": ["no salutation", "or two"]}
    assert doubts.of_row("targets", 0) == {} and doubts.of_row("targets", None) == {}
    assert doubts.fields == {"deadline": ["no deadline"]}
    assert doubts.lists == {"individuals": ["nobody"]}
    assert doubts.top == ["cut off", "odd"]
