"""Redirecting letters: changing where a public action's letters go (a target's email or fax added or
changed) needs the target_addresses scope, and the letters already queued for that target wait in the
review queue until staff approve them; an editor's change in the staff desk does the same, logged."""

import json
import subprocess
import uuid

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client

from tests.api.helpers import send
from tests.conftest import staff_login
from uadesk.actions.models import Target
from uadesk.api.models import ApiToken
from uadesk.appeals.models import Appeal
from uadesk.appeals.services import Writer, appeal_submit
from uadesk.staff.models import AuditEntry

ATTACKER = "attacker@evil.example"


def token(*scopes: str) -> str:
    made = ApiToken(name="CRM", scope_write="write" in scopes)
    made.scope_target_addresses = "target_addresses" in scopes
    key = made.new_key()
    made.save()
    return f"Bearer {key}"


def queue(action, target, count: int = 2) -> list[Appeal]:
    """Letters supporters wrote to the target, waiting for the worker."""
    appeals = []
    for n in range(count):
        appeals += appeal_submit(
            action=action, targets=[target], channel="email", language="en", subject=action.title,
            letters={target.pk: f"Dear {target.name},\n\nRelease them.\n\nSupporter {n}, Lyon"},
            writer=Writer(name=f"Supporter {n}", town="Lyon"), key=uuid.uuid4(),
        )  # fmt: skip
    assert {a.status for a in appeals} == {"queued"}
    return appeals


def url(action, target) -> str:
    return f"/api/advocacy_campaigns/{action.slug}/targets/{target.pk}"


def statuses(appeals) -> set[str]:
    return set(Appeal.objects.filter(pk__in=[a.pk for a in appeals]).values_list("status", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [{"emails": [ATTACKER]}, {"emails": ["english@mail.gov.cn", ATTACKER]}, {"faxes": ["+1 202 555 0100"]},
     {"emails": ["English@Mail.gov.cn.evil.example"]}],
)  # fmt: skip
def test_a_write_token_cannot_send_a_published_actions_letters_elsewhere(client, open_action, change):
    xi = open_action.targets.get(name="Xi Jinping")
    before = (xi.emails, xi.faxes)
    appeals = queue(open_action, xi)
    response = send(client, "PATCH", url(open_action, xi), change, auth=token("write"))
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden" and "target_addresses" in error["message"]
    assert error["field"] == next(iter(change))
    xi.refresh_from_db()
    assert (xi.emails, xi.faxes) == before
    assert statuses(appeals) == {"queued"}
    assert not AuditEntry.objects.exists()  # nothing changed, nothing to record


@pytest.mark.django_db
def test_a_write_token_still_changes_everything_else_and_may_remove_an_address(client, open_action):
    xi = open_action.targets.get(name="Xi Jinping")
    Target.objects.filter(pk=xi.pk).update(emails="english@mail.gov.cn\nxi@mail.gov.cn")
    appeals = queue(open_action, xi)
    auth = token("write")
    assert (
        send(client, "PATCH", url(open_action, xi), {"salutation": "Mr President"}, auth=auth).status_code
        == 200
    )
    # The same addresses written another way go nowhere new.
    same = {"emails": ["English@Mail.gov.cn", "xi@mail.gov.cn"], "faxes": ["+86 (10) 6238-1025"]}
    assert send(client, "PATCH", url(open_action, xi), same, auth=auth).status_code == 200
    removed = send(client, "PATCH", url(open_action, xi), {"emails": ["xi@mail.gov.cn"]}, auth=auth)
    assert removed.status_code == 200 and removed.json()["emails"] == ["xi@mail.gov.cn"]
    assert statuses(appeals) == {"queued"}


@pytest.mark.django_db
def test_a_new_target_or_a_draft_needs_no_scope(client, open_action, django_user_model):
    auth = token("write")
    new = send(client, "POST", f"/api/advocacy_campaigns/{open_action.slug}/targets",
               {"name": "Ambassador", "emails": ["embassy@example.org"]}, auth=auth)  # fmt: skip
    assert new.status_code == 201
    open_action.status = "draft"
    open_action.save()
    xi = open_action.targets.get(name="Xi Jinping")
    changed = send(client, "PATCH", url(open_action, xi), {"emails": ["corrected@mail.gov.cn"]}, auth=auth)
    assert changed.status_code == 200


@pytest.mark.django_db
def test_a_draft_target_someone_already_wrote_to_needs_the_scope(client, open_action):
    xi = open_action.targets.get(name="Xi Jinping")
    appeals = queue(open_action, xi)
    open_action.status = "draft"  # taken back to draft with letters still queued
    open_action.save()
    response = send(client, "PATCH", url(open_action, xi), {"emails": [ATTACKER]}, auth=token("write"))
    assert response.status_code == 403
    assert statuses(appeals) == {"queued"}


def run_worker(uadesk_bin, env) -> None:
    worker = subprocess.run(
        [uadesk_bin, "worker", "--batch", "--interval=0.1"], env=env, capture_output=True, timeout=120
    )
    assert worker.returncode == 0, worker.stderr.decode()[-3000:]


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_the_scope_changes_the_address_and_the_queued_letters_wait_for_staff(
    client, open_action, uadesk_bin, worker_env, smtp_server, staff_client
):
    mailbox, _ = smtp_server
    xi, ma = open_action.targets.get(name="Xi Jinping"), open_action.targets.get(name="Ma Xingrui")
    Target.objects.filter(pk=ma.pk).update(emails="ma@xinjiang.gov.cn")
    waiting = queue(open_action, xi)
    other = queue(open_action, ma, count=1)
    response = send(
        client, "PATCH", url(open_action, xi), {"emails": [ATTACKER]}, auth=token("write", "target_addresses")
    )
    assert response.status_code == 200 and response.json()["emails"] == [ATTACKER]
    assert statuses(waiting) == {"held"} and statuses(other) == {"queued"}
    assert AuditEntry.objects.get().detail["method"] == "PATCH"

    run_worker(uadesk_bin, worker_env)
    [message] = mailbox.wait_for(1)  # the worker ran: the other target's letter went
    assert message.envelope_recipients == ["ma@xinjiang.gov.cn"]
    assert statuses(waiting) == {"held"}
    assert all(ATTACKER not in m.envelope_recipients for m in mailbox.messages)

    # Staff approve the change in the review queue: only then do the letters go to the new address.
    released = staff_client.post(
        "/staff/appeals/appeal/", {"action": "release", "_selected_action": [a.pk for a in waiting]}
    )
    assert released.status_code == 302
    run_worker(uadesk_bin, worker_env)
    messages = mailbox.wait_for(3)
    assert sorted(m.envelope_recipients[0] for m in messages[1:]) == [ATTACKER, ATTACKER]
    assert statuses(waiting) == {"sent"}


# -- The staff desk ---------------------------------------------------------------------------------


def changeform_data(response) -> dict:
    """What the browser posts back for a change form as it was shown: every field of the form and of
    its inlines, with their management forms."""
    data = {}

    def add(form):
        for field in form:
            value = field.value()
            if value is None:
                value = ""
            if isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
                continue
            data[field.html_name] = value if isinstance(value, list) else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        "editor-user", password="a long staff password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editor"))
    return staff_login(Client(), user), user


@pytest.mark.django_db
def test_an_editor_changing_an_address_in_the_action_holds_the_letters_and_is_logged(open_action, editor):
    client, user = editor
    xi = open_action.targets.get(name="Xi Jinping")
    appeals = queue(open_action, xi)
    change = f"/staff/actions/action/{open_action.pk}/change/"
    data = changeform_data(client.get(change))
    [prefix] = [
        k.removesuffix("-id")
        for k, v in data.items()
        if k.startswith("targets-") and k.endswith("-id") and v == str(xi.pk)
    ]
    data[f"{prefix}-emails"] = ATTACKER
    data["individuals-0-name"] = "Xinjiang detainees"  # the import left the seed's placeholder name empty
    response = client.post(change, data, follow=True)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert not response.context.get("errors"), response.context.get("errors")
    xi.refresh_from_db()
    assert xi.email_list == [ATTACKER]
    assert statuses(appeals) == {"held"}
    notices = [str(m) for m in response.context["messages"]]
    assert any(
        "2 letters to Xi Jinping are held until you approve them in the review queue" in m for m in notices
    )
    entry = LogEntry.objects.filter(user=user, content_type__model="target", object_id=str(xi.pk)).get()
    assert ATTACKER in entry.change_message and "2 queued letters held" in entry.change_message


@pytest.mark.django_db
def test_an_editor_changing_an_address_on_the_targets_page_holds_the_letters(open_action, editor):
    client, user = editor
    xi = open_action.targets.get(name="Xi Jinping")
    appeals = queue(open_action, xi, count=1)
    change = f"/staff/actions/target/{xi.pk}/change/"
    data = changeform_data(client.get(change)) | {"faxes": "+1 202 555 0100"}
    response = client.post(change, data, follow=True)
    assert response.status_code == 200
    xi.refresh_from_db()
    assert xi.fax_list == ["+1 202 555 0100"] and statuses(appeals) == {"held"}
    notices = [str(m) for m in response.context["messages"]]
    assert any(
        "1 letter to Xi Jinping is held until you approve it in the review queue" in m for m in notices
    )
    assert (
        "+1 202 555 0100"
        in LogEntry.objects.filter(user=user, content_type__model="target", object_id=str(xi.pk))
        .last()
        .change_message
    )


@pytest.mark.django_db
def test_an_editor_correcting_a_name_holds_nothing(open_action, editor):
    client, _ = editor
    xi = open_action.targets.get(name="Xi Jinping")
    appeals = queue(open_action, xi, count=1)
    change = f"/staff/actions/target/{xi.pk}/change/"
    data = changeform_data(client.get(change)) | {"salutation": "Mr President"}
    assert client.post(change, data).status_code == 302
    assert statuses(appeals) == {"queued"}
    assert json.loads(
        LogEntry.objects.get(content_type__model="target", object_id=str(xi.pk)).change_message
    )[0]["changed"]["fields"]


@pytest.mark.django_db
def test_a_letter_held_while_it_was_being_sent_stays_held_after_a_temporary_failure(open_action):
    """The address changed while a worker was sending: a retry must not put the letter back in the queue,
    where the next run would send it to the new address without anyone approving it."""
    from django.utils import timezone

    from uadesk.appeals.services import appeals_hold_for_target
    from uadesk.delivery.outbox import claim_due

    xi = open_action.targets.get(name="Xi Jinping")
    (appeal,) = queue(open_action, xi, count=1)
    (claimed,) = claim_due(timezone.now(), token="worker-1", limit=10)
    attempt = claimed.begin_attempt(token="worker-1", lease_seconds=60)
    assert attempt is not None
    assert appeals_hold_for_target(target=xi) == 1
    claimed.record_failure(attempt, "451 try again later", permanent=False, max_attempts=5, retry_base=60)
    assert statuses([appeal]) == {"held"} and appeal.delivery().status == "held"
