"""Events in the staff admin: an organiser sees their own, staff see all; a new event is its maker's."""

import pytest
from django.urls import reverse

from tests.conftest import at, staff_login
from tests.events.conftest import OPEN_DAY
from uadesk.events.models import Event

pytestmark = pytest.mark.django_db


def test_an_organiser_sees_only_their_own_events_in_the_admin(client, event, other_organiser):
    staff_login(client, event.organiser)
    assert "Write for Rights" in client.get(reverse("admin:events_event_changelist")).content.decode()
    assert client.get(reverse("admin:events_event_change", args=[event.pk])).status_code == 200
    # Nothing else of the desk is theirs to open.
    assert client.get(reverse("admin:actions_action_changelist")).status_code == 403
    assert client.get(reverse("admin:appeals_appeal_changelist")).status_code == 403
    staff_login(client, other_organiser)
    assert "Write for Rights" not in client.get(reverse("admin:events_event_changelist")).content.decode()
    assert client.get(reverse("admin:events_event_change", args=[event.pk])).status_code == 302


def test_an_event_made_in_the_admin_belongs_to_its_maker(staff_client, seed_action):
    data = {
        "name": "Monthly meeting", "date": "2022-09-15", "place": "", "actions": [seed_action.pk],
        "expected_writers": "12", "languages": ["en"], "label_sheet": "Letter-30",
    }  # fmt: skip
    with at(OPEN_DAY):
        response = staff_client.post(reverse("admin:events_event_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get()
    assert event.organiser.username == "editor" and event.languages == "en"
