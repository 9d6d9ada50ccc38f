"""Titles and target names are one line: a control character (which would break the subject of every
letter, and the mailto: link's) is refused by the models' rules everywhere, and an imported document's
are turned into spaces."""

import pytest
from django.core.exceptions import ValidationError

from tests.api.helpers import send
from uadesk.actions.models import Action, Target
from uadesk.actions.services import action_create_from_document
from uadesk.api.models import ApiToken

pytestmark = pytest.mark.django_db

# A line break and a header of the attacker's in the subject; a TAB, a vertical tab, DEL, a C1 control
# (NEL, which some readers take for a line break), the Unicode line separator, NUL.
BAD = ["Free them\r\nBcc: list@evil.example", "Free\tthem", "Free\x0bthem", "Free\x7fthem", "Free\x85them",
       "Free\u2028them", "Free\x00them"]  # fmt: skip


def bearer() -> str:
    token = ApiToken(name="CRM", scope_write=True)
    key = token.new_key()
    token.save()
    return f"Bearer {key}"


@pytest.mark.parametrize("title", BAD)
def test_an_actions_title_is_one_line(open_action, title):
    open_action.title = title
    with pytest.raises(ValidationError) as refused:
        open_action.full_clean()
    assert "title" in refused.value.message_dict


@pytest.mark.parametrize("field", ["name", "honorific", "native_name", "title", "salutation"])
def test_a_targets_names_are_one_line(open_action, field):
    target = open_action.targets.first()
    setattr(target, field, "Xi\r\nJinping")
    with pytest.raises(ValidationError) as refused:
        target.full_clean()
    assert field in refused.value.message_dict


def test_unicode_names_and_titles_stay_welcome(open_action):
    open_action.title = "Uyghur scholar Ilham Tohti — إلهام توختي — 伊力哈木·土赫提"
    open_action.full_clean()
    target = open_action.targets.first()
    target.name, target.native_name = "Xi Jinping", "习近平"
    target.full_clean()


def test_the_api_refuses_a_title_or_a_target_name_with_a_control_character(client, open_action):
    auth = bearer()
    url = f"/api/advocacy_campaigns/{open_action.slug}"
    response = send(client, "PATCH", url, {"title": BAD[0]}, auth=auth)
    assert response.status_code == 422 and response.json()["error"]["field"] == "title"
    response = send(
        client, "POST", url + "/targets", {"name": "Ambassador\r\nBcc: x@evil.example"}, auth=auth
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "name"
    csv = b'name,emails\n"Ambassador\r\nBcc: x",embassy@example.org\n'
    response = send(client, "POST", url + "/targets", csv, auth=auth, content_type="text/csv")
    assert response.status_code == 422 and response.json()["error"]["field"] == "name"
    assert Action.objects.get(pk=open_action.pk).title == open_action.title
    assert not Target.objects.filter(name__startswith="Ambassador").exists()


def test_the_staff_desk_refuses_it_as_a_form_error(staff_client, open_action):
    target = open_action.targets.first()
    page = staff_client.get(f"/staff/actions/target/{target.pk}/change/")
    form = page.context["adminform"].form
    data = {f.html_name: f.value() or "" for f in form if not isinstance(f.value(), bool)}
    response = staff_client.post(f"/staff/actions/target/{target.pk}/change/", data | {"name": "Xi\nJinping"})
    assert response.status_code == 200
    assert "Use one line of text" in response.content.decode()
    target.refresh_from_db()
    assert target.name == "Xi Jinping"


def test_an_imported_document_has_its_control_characters_made_spaces():
    document = {
        "title": "Release\r\nBcc: list@evil.example\x85now", "kind": "urgent_action", "summary": "s",
        "targets": [{"name": "Xi\tJinping\x0b", "honorific": "President\n", "role": "primary"}],
    }  # fmt: skip
    action = action_create_from_document(document=document)
    assert action.title == "Release Bcc: list@evil.example now"
    target = action.targets.get()
    assert (target.name, target.honorific) == ("Xi Jinping", "President")
    action.deadline = None
    action.full_clean(exclude=["summary"])
    target.full_clean()
