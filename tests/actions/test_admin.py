"""Staff edit actions in the admin; bad input is explained there and nothing half-made is saved."""

import datetime

import pytest
from django.urls import reverse

from tests.conftest import at
from uadesk.actions.models import Action

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:actions_action_add")
TODAY = datetime.date(2022, 9, 1)


def inline(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


TARGET = {
    "role": "primary", "position": "0", "name": "Minister of Justice", "title": "Minister",
    "address": "1 Palace Road\nCapital", "native_address": "١ طريق القصر", "native_language": "ar",
    "country": "EG", "emails": "minister@justice.example", "faxes": "+20 2 1234 5678",
    "salutation": "Your Excellency",
}  # fmt: skip
LETTER = {"language": "en", "salutation": "Your Excellency", "body": "Release them.", "closing": "Yours"}


def action_form(*, targets=None, letters=None, **fields) -> dict:
    data = {
        "title": "Release the students",
        "slug": "release-the-students",
        "status": "published",
        "kind": "urgent_action",
        "summary": "Three students were detained for a poem.",
        "deadline": "2022-09-23",
        "preferred_languages": "ar, en",
        "own_language_welcome": "on",
        "max_appeals_per_target_per_hour": "60",
    } | fields
    data |= inline("individuals", [])
    data |= inline("targets", [TARGET] if targets is None else targets)
    data |= inline("letters", [LETTER] if letters is None else letters)
    data |= inline("translations", [])
    data |= inline("outcomes", [])
    return data


def post(client, data):
    with at(TODAY):
        return client.post(ADD_URL, data)


def test_staff_publish_a_complete_action(staff_client):
    response = post(staff_client, action_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    action = Action.objects.get(slug="release-the-students")
    assert action.status == "published" and action.published_at is not None
    target = action.targets.get()
    assert target.native_address_lines == ["١ طريق القصر"]
    assert target.fax_list == ["+20 2 1234 5678"]
    assert action.letters.get().body == "Release them."


def test_publishing_in_the_admin_stamps_the_time_once(staff_client):
    post(staff_client, action_form(status="draft"))
    action = Action.objects.get()
    assert action.published_at is None
    change_url = reverse("admin:actions_action_change", args=[action.pk])

    def change(day: datetime.date, **fields):
        data = action_form(
            targets=[TARGET | {"id": action.targets.get().pk}],
            letters=[LETTER | {"id": action.letters.get().pk}],
            **fields,
        )
        data["targets-INITIAL_FORMS"] = data["letters-INITIAL_FORMS"] = "1"
        with at(day):
            response = staff_client.post(change_url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        action.refresh_from_db()

    change(TODAY + datetime.timedelta(days=1), status="draft", _publish="1")  # "Save and publish"
    first = action.published_at
    assert action.status == "published" and first.date() == TODAY + datetime.timedelta(days=1)
    change(TODAY + datetime.timedelta(days=2), title="Release the three students")
    assert action.title == "Release the three students" and action.published_at == first


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"deadline": "2022-08-31"}, "The deadline 31 August 2022 has passed"),
        ({"targets": [{"name": "Minister", "role": "primary", "emails": "minister-at-justice"}]},
         "“minister-at-justice” is not an email address."),
        ({"letters": [{"language": "en", "body": "   "}]}, "A model letter cannot be empty"),
        ({"targets": []}, "A published action needs at least one target to write to."),
        ({"letters": []}, "A published action needs a model letter."),
        ({"preferred_languages": "Arabic"}, "“Arabic” is not a language code"),
        ({"deadline": ""}, "A published action needs a deadline."),
    ],
)  # fmt: skip
def test_bad_input_gets_a_clear_message_and_saves_nothing(staff_client, change, message):
    response = post(staff_client, action_form(**change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Action.objects.exists()


def test_a_draft_may_be_incomplete(staff_client):
    response = post(staff_client, action_form(status="draft", deadline="", targets=[], letters=[]))
    assert response.status_code == 302
    assert Action.objects.get().status == "draft"


def test_outsiders_cannot_reach_the_admin(client, django_user_model):
    assert client.get(ADD_URL).status_code == 302
    django_user_model.objects.create_user("supporter", password="a long password 1")
    client.force_login(django_user_model.objects.get(username="supporter"))
    response = client.post(ADD_URL, action_form())
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Action.objects.exists()


def test_a_refused_save_and_publish_shows_the_draft_it_still_is_and_the_errors_at_the_top(staff_client):
    post(staff_client, action_form(status="draft", targets=[]))
    action = Action.objects.get()
    data = action_form(
        status="draft", _publish="1", targets=[], letters=[LETTER | {"id": action.letters.get().pk}]
    )
    data["letters-INITIAL_FORMS"] = "1"
    with at(TODAY):
        response = staff_client.post(reverse("admin:actions_action_change", args=[action.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="draft" selected>' in page and '<option value="published" selected>' not in page
    assert 'name="_publish"' in page  # the button is still there, to try again
    top = page[: page.index('id="action_form"') + page[page.index('id="action_form"') :].index("<fieldset")]
    assert "Not published: the action is still a draft" in top
    assert "Targets: A published action needs at least one target to write to." in top
    action.refresh_from_db()
    assert action.status == "draft"


def test_the_petition_form_finds_its_campaign_and_action_by_search(staff_client):
    page = staff_client.get(reverse("admin:petitions_petition_add")).content.decode()
    assert 'class="admin-autocomplete' in page and "vForeignKeyRawIdAdminField" not in page
