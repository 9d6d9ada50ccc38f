"""The sent page after the form: its statuses as JSON for its script, and a posted letter printed again."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse

from tests.appeals.helpers import compose_send, confirm
from tests.conftest import at
from uadesk.appeals.models import Appeal

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)


def status_url(action, key) -> str:
    return reverse("appeals:status", kwargs={"slug": action.slug, "key": key})


def sent_url(action, key) -> str:
    return reverse("appeals:sent", kwargs={"slug": action.slug, "key": key})


def test_the_statuses_as_json_follow_the_letter_on_its_way(client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    with at(OPEN_DAY):
        key, _ = compose_send(client, seed_action, [xi], email="ada@example.org")
        before = client.get(status_url(seed_action, key))
        page = client.get(sent_url(seed_action, key)).content.decode()
        confirm(key)
        after = client.get(status_url(seed_action, key))
    assert before["Content-Type"] == "application/json"
    assert "no-cache" in before["Cache-Control"] and not before.has_header("Access-Control-Allow-Origin")
    [waiting] = before.json()["appeals"]
    assert (waiting["target"], waiting["status"]) == (xi.pk, "unconfirmed")
    assert before.json()["unconfirmed"] and before.json()["on_its_way"]
    # The page shows the same words the JSON carries, in the element the script changes.
    assert waiting["html"] in page
    assert "Waiting for you to confirm your email" in waiting["html"]
    [queued] = after.json()["appeals"]
    assert queued["status"] == "queued" and "the desk is sending your letter now." in queued["html"]
    assert not after.json()["unconfirmed"] and after.json()["on_its_way"]


def test_the_statuses_come_in_the_readers_language(client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    with at(OPEN_DAY):
        key, _ = compose_send(client, seed_action, [xi], email="")
        english = client.get(status_url(seed_action, key)).json()["appeals"][0]["html"]
        french = client.get("/fr" + status_url(seed_action, key).removeprefix("/en")).json()["appeals"][0]
    assert "Being sent" in english and french["status"] == "queued"
    assert "En cours d&#x27;envoi" in french["html"] and f'data-target="{xi.pk}"' in french["html"]


def test_the_page_asks_again_only_while_a_letter_is_on_its_way(client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    with at(OPEN_DAY):
        key, _ = compose_send(client, seed_action, [xi], email="")  # queued at once
        queued = client.get(sent_url(seed_action, key)).content.decode()
        Appeal.objects.filter(submission=key).update(status=Appeal.Status.SENT)
        sent = client.get(sent_url(seed_action, key)).content.decode()
        settled = client.get(status_url(seed_action, key)).json()
    assert f'data-status-url="{status_url(seed_action, key)}"' in queued
    assert re.search(r'<script src="/static/appeals/status\.js" defer></script>', queued)
    assert "data-status-url" not in sent and "appeals/status.js" not in sent
    assert not settled["on_its_way"] and not settled["unconfirmed"]


def test_an_unknown_form_has_no_statuses(client, seed_action):
    assert client.get(status_url(seed_action, uuid.uuid4())).status_code == 404


def post_letter(client, action) -> tuple[str, str]:
    xi = action.targets.get(name="Xi Jinping")
    with at(OPEN_DAY):
        key, response = compose_send(client, action, [xi], email="", channel="post", name="Zoë Martin")
    assert response.status_code == 302
    return key, reverse("appeals:letter_pdf", kwargs={"slug": action.slug, "key": key, "target_id": xi.pk})


def test_a_posted_letter_can_be_printed_again(client, seed_action):
    key, pdf = post_letter(client, seed_action)
    with at(OPEN_DAY):
        client.post(reverse("appeals:confirm", kwargs={"slug": seed_action.slug, "key": key}))
        page = client.get(sent_url(seed_action, key)).content.decode()
        response = client.get(pdf + "?paper=A4&envelope=DL")
    assert Appeal.objects.get().status == Appeal.Status.POSTED
    assert "Posted by you" in page and "I have posted it" not in page
    assert "Print the letter and its envelope:" in page
    assert f'href="{pdf}?paper=A4&amp;envelope=DL"' in page
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_a_withdrawn_letter_is_not_printed(client, seed_action):
    key, pdf = post_letter(client, seed_action)
    Appeal.objects.update(status=Appeal.Status.WITHDRAWN)  # its writer erased their data
    with at(OPEN_DAY):
        page = client.get(sent_url(seed_action, key)).content.decode()
        response = client.get(pdf)
    assert "Print the letter" not in page and response.status_code == 404
