"""Export: an action as the JSON of `uadesk ingest --json`, which another desk's API turns back into it."""

import json

import jsonschema
import pytest

from tests.api.helpers import send
from uadesk.actions.models import Action
from uadesk.api.serializers import SCHEMA_PATH

pytestmark = pytest.mark.django_db


def test_the_export_keeps_to_the_ingest_contract(client, open_action):
    document = client.get(f"/api/advocacy_campaigns/{open_action.slug}/export").json()
    jsonschema.validate(
        document, json.loads(SCHEMA_PATH.read_text()), format_checker=jsonschema.FormatChecker()
    )
    assert document["title"] == open_action.title
    assert document["model_letter"]["body"] == open_action.letters.get().body


def test_export_then_create_on_another_desk_gives_the_same_action(client, make_token, open_action):
    exported = client.get(f"/api/advocacy_campaigns/{open_action.slug}/export").json()
    # The other desk: same database here, so the original goes first (its slug and checksum would clash).
    language = open_action.letters.get().language
    Action.objects.filter(pk=open_action.pk).update(slug="the-original")
    response = send(
        client,
        "POST",
        f"/api/advocacy_campaigns?letter_language={language}",
        exported,
        auth=make_token("write"),
    )
    assert response.status_code == 201, response.content
    copy = Action.objects.get(slug=response.json()["slug"])
    assert copy.pk != open_action.pk
    again = client.get(
        f"/api/advocacy_campaigns/{copy.slug}/export", HTTP_AUTHORIZATION=make_token("read")
    ).json()
    assert again == exported
    original = client.get("/api/advocacy_campaigns/the-original").json()
    created = client.get(f"/api/advocacy_campaigns/{copy.slug}", HTTP_AUTHORIZATION=make_token("read")).json()
    for resource in (original, created):
        for target in resource["targets"]:
            target.pop("id")
    same = [
        "title",
        "kind",
        "description",
        "asks",
        "preferred_languages",
        "deadline",
        "targets",
        "letters",
        "individuals",
    ]
    assert {k: created[k] for k in same} == {k: original[k] for k in same}
