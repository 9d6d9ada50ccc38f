"""The organiser's pages: who may see and do what, making an event, its pack, and the letters form."""

import datetime
import io
import re

import pypdf
import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.urls import reverse

from tests.conftest import at, staff_login
from tests.events.conftest import EVENT_DAY, OPEN_DAY
from uadesk.appeals.models import Appeal
from uadesk.events.models import Event
from uadesk.staff.models import AuditEntry

pytestmark = pytest.mark.django_db


def urls(event) -> dict[str, str]:
    return {
        "list": reverse("events:list"),
        "create": reverse("events:create"),
        "detail": reverse("events:detail", kwargs={"pk": event.pk}),
        "pack": reverse("events:pack", kwargs={"pk": event.pk}),
        "tally": reverse("events:tally", kwargs={"pk": event.pk}),
    }


def test_anonymous_visitors_are_sent_to_log_in(client, event):
    for url in urls(event).values():
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"], url
    response = client.post(urls(event)["tally"], {})
    assert response.status_code == 302
    assert not Appeal.objects.exists()


def test_a_supporter_account_without_staff_status_is_sent_to_log_in(client, event, django_user_model):
    client.force_login(django_user_model.objects.create_user("supporter", password="x" * 20))
    assert client.get(urls(event)["pack"]).status_code == 302


def test_staff_who_are_not_organisers_are_refused(client, event, outsider):
    staff_login(client, outsider)
    for url in urls(event).values():
        assert client.get(url).status_code == 403, url
    assert client.post(urls(event)["tally"], {}).status_code == 403


def test_another_groups_event_is_not_found(client, event, other_organiser):
    staff_login(client, other_organiser)
    assert client.get(urls(event)["list"]).status_code == 200
    assert "Write for Rights" not in client.get(urls(event)["list"]).content.decode()
    for name in ("detail", "pack", "tally"):
        assert client.get(urls(event)[name]).status_code == 404, name


def test_staff_with_every_permission_see_every_event(staff_client, event):
    assert "Write for Rights" in staff_client.get(reverse("events:list")).content.decode()
    assert staff_client.get(urls(event)["detail"]).status_code == 200


def event_data(chosen, **changes):
    return {
        "name": "Write for Rights 2022", "date": "2022-09-20", "place": "Library",
        "actions": [a.pk for a in chosen], "expected_writers": "40", "languages": ["en"],
        "label_sheet": "A4-14",
    } | changes  # fmt: skip


def test_an_organiser_makes_an_event_and_downloads_its_pack(organiser_client, organiser, seed_action):
    with at(OPEN_DAY):
        page = organiser_client.get(reverse("events:create"))
        assert page.status_code == 200 and seed_action.title in page.content.decode()
        response = organiser_client.post(reverse("events:create"), event_data([seed_action]))
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert (event.organiser, event.languages, event.label_sheet, event.expected_writers) == (
        organiser,
        "en",
        "A4-14",
        40,
    )
    assert list(event.actions.all()) == [seed_action]
    assert event.pk in {
        int(e.object_id) for e in LogEntry.objects.filter(user=organiser, action_flag=ADDITION)
    }
    assert AuditEntry.objects.filter(
        code="uadesk.event.added", user=organiser, object_id=str(event.pk)
    ).exists()
    with at(OPEN_DAY):
        detail = organiser_client.get(event.get_absolute_url()).content.decode()
        assert "Download the pack" in detail
        pack = organiser_client.get(urls(event)["pack"])
    assert pack["Content-Type"] == "application/pdf"
    assert "attachment" in pack["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(pack.content))
    # cover, case sheet, English letter, 4 letter papers, 160 labels on 12 sheets of 14, tally
    assert len(reader.pages) == 1 + 2 + 4 + 12 + 1
    assert "http://testserver/actions/" in " ".join(reader.pages[1].extract_text().split())


def test_a_pack_with_every_action_closed_is_explained(organiser_client, event, seed_action, arabic_action):
    with at(datetime.date(2022, 11, 1)):  # both deadlines have passed
        response = organiser_client.get(urls(event)["pack"], follow=True)
    assert response.redirect_chain == [(urls(event)["detail"], 302)]
    html = response.content.decode()
    assert "The pack could not be made: none of its actions is open any more" in html
    assert "closed: left out of the pack" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"expected_writers": "0"}, "expected_writers", "greater than or equal to 1"),
        ({"expected_writers": "lots"}, "expected_writers", "Enter a whole number"),
        ({"expected_writers": "1001"}, "expected_writers", "less than or equal to 1000"),
        ({"languages": []}, "languages", "Choose at least one language"),
        ({"languages": ["xx"]}, "languages", "Select a valid choice"),
        ({"actions": []}, "actions", "Choose at least one open action"),
        ({"label_sheet": "A4-99"}, "label_sheet", "Select a valid choice"),
        ({"date": "2022-09-30"}, "actions", "closes on 23 September 2022, before the event"),
        (
            {"expected_writers": "1000", "actions": "both"},
            "actions",
            "That is 5000 address labels, more than the 4000 one pack holds",
        ),
        ({"name": ""}, "name", "This field is required"),
    ],
)
def test_bad_input_is_shown_on_the_form(
    organiser_client, seed_action, arabic_action, changes, field, message
):
    if changes.get("actions") == "both":
        changes = changes | {"actions": [seed_action.pk, arabic_action.pk]}
    with at(OPEN_DAY):
        response = organiser_client.post(reverse("events:create"), event_data([seed_action], **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not Event.objects.exists()


def test_closed_actions_are_not_offered(organiser_client, seed_action, arabic_action):
    with at(datetime.date(2022, 9, 25)):  # the seed action closed on the 23rd
        page = organiser_client.get(reverse("events:create")).content.decode()
        assert arabic_action.title in page and seed_action.title not in page
        response = organiser_client.post(
            reverse("events:create"), event_data([seed_action], date="2022-09-26")
        )
    assert response.status_code == 400
    assert "Select a valid choice" in " ".join(response.context["form"].errors["actions"])


def test_an_action_without_a_letter_in_the_chosen_languages_is_refused(organiser_client, seed_action):
    with at(OPEN_DAY):
        response = organiser_client.post(
            reverse("events:create"), event_data([seed_action], languages=["ar"])
        )
    # Arabic is offered only when an open action has an Arabic letter.
    assert "languages" in response.context["form"].errors


def test_the_letters_form_counts_and_recounts(organiser_client, event, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    with at(EVENT_DAY):
        page = organiser_client.get(urls(event)["tally"])
        assert page.status_code == 200
        fields = page.context["form"].fields
        assert len(fields) == 5  # the officials with a postal address, of both actions
        data = {name: "0" for name in fields} | {f"target_{xi.pk}": "17"}
        response = organiser_client.post(urls(event)["tally"], data)
        assert response.status_code == 302
        assert Appeal.objects.filter(event=event, target=xi).count() == 17
        # The form shows what was counted; sending it again changes nothing.
        again = organiser_client.get(urls(event)["tally"]).context["form"]
        assert again.initial.get(f"target_{xi.pk}", again.fields[f"target_{xi.pk}"].initial) == 17
        organiser_client.post(urls(event)["tally"], data)
        assert Appeal.objects.filter(event=event).count() == 17
        assert "17 letters in all" in organiser_client.get(urls(event)["detail"]).content.decode()
    # Counted once in the audit log: the second, identical count changed nothing.
    from django.contrib.admin.models import LogEntry

    logged = LogEntry.objects.filter(object_id=str(event.pk), user=event.organiser)
    assert [e.change_message for e in logged] == [
        "Letters counted (President Abdel Fattah al-Sisi: 0, Xi Jinping: 17, Ma Xingrui: 0, "
        "Erkin Tuniyaz: 0, Mr Zheng Zeguang: 0)"
    ]


def test_an_empty_post_shows_every_field_as_missing(organiser_client, event):
    with at(EVENT_DAY):
        response = organiser_client.post(urls(event)["tally"], {})
        assert response.status_code == 400 and len(response.context["form"].errors) == 5
        assert "Enter a number of letters, 0 if none." in response.content.decode()
        assert organiser_client.post(urls(event)["create"], {}).status_code == 400
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("value", ["-1", "many", "", "10001", "2.5"])
def test_bad_numbers_are_shown_on_the_letters_form(organiser_client, event, seed_action, value):
    xi = seed_action.targets.get(name="Xi Jinping")
    with at(EVENT_DAY):
        fields = organiser_client.get(urls(event)["tally"]).context["form"].fields
        data = {name: "1" for name in fields} | {f"target_{xi.pk}": value}
        response = organiser_client.post(urls(event)["tally"], data)
    assert response.status_code == 400
    assert f"target_{xi.pk}" in response.context["form"].errors
    assert not Appeal.objects.exists()


def test_letters_cannot_be_counted_before_the_event(organiser_client, event, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    with at(EVENT_DAY - datetime.timedelta(days=2)):
        assert "from the day of the event on" in organiser_client.get(urls(event)["tally"]).content.decode()
        response = organiser_client.post(urls(event)["tally"], {f"target_{xi.pk}": "3"})
    assert response.status_code == 400
    assert not Appeal.objects.exists()


def test_pages_fit_a_phone_and_load_nothing_from_elsewhere(organiser_client, event):
    with at(EVENT_DAY):
        for name in ("list", "detail", "tally", "create"):
            html = organiser_client.get(urls(event)[name]).content.decode()
            assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
            assert "events/events.css" in html
            assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html), name
