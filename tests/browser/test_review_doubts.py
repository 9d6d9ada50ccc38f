"""At 1280 px the review of an imported draft shows each of the import's doubts in its field's row."""

import pytest

from tests.browser.conftest import STAFF_PASSWORD, staff_sign_in, superuser_with_authenticator
from tests.ingest.test_review_doubts import NO_DEADLINE, NO_SALUTATION, UA

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PASSWORD = STAFF_PASSWORD


@pytest.fixture
def editor(django_user_model):
    return superuser_with_authenticator(django_user_model, "editor")


def inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 1
        and inner["y"] >= outer["y"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def test_each_doubt_shows_in_its_fields_row(desk, browser_context, editor, screenshot):
    page = browser_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_sign_in(page, desk, "editor", PASSWORD, editor[1])
    page.goto(desk("/staff/ingest/"))
    page.get_by_label("Urgent Action document").set_input_files(
        {"name": "ua.txt", "mimeType": "text/plain", "buffer": UA.encode()}
    )
    page.get_by_role("button", name="Read the document").click()
    page.get_by_text("The document is now the draft below").wait_for()

    for row, field, doubt in (
        (page.locator(".form-row.field-deadline"), page.locator('input[name="deadline"]'), NO_DEADLINE),
        (
            page.locator("#targets-1 .form-row.field-salutation"),
            page.locator('input[name="targets-1-salutation"]'),
            NO_SALUTATION,
        ),
    ):
        shown = row.locator(".ingest-doubt")
        shown.scroll_into_view_if_needed()
        assert shown.is_visible() and shown.inner_text() == f"Check: {doubt}"
        assert inside(shown.bounding_box(), row.bounding_box())
        assert shown.bounding_box()["y"] >= field.bounding_box()["y"] + field.bounding_box()["height"]
        # What a screen reader hears with the field.
        assert doubt in field.evaluate(
            "f => f.getAttribute('aria-describedby').split(' ')"
            ".map(id => document.getElementById(id)?.textContent || '').join(' ')"
        )
    screenshot(page, "review")
