"""Erasure leaves nothing of the supporter anywhere: not in a letter, a reply, or a letter never confirmed."""

import uuid

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from uadesk.api.models import Webhook, WebhookDelivery
from uadesk.appeals import services
from uadesk.appeals.models import Appeal, EmailConfirmation, Reply
from uadesk.supporters.models import Supporter
from uadesk.supporters.services import erase

pytestmark = pytest.mark.django_db
NAME, TOWN, EMAIL, LETTER = (
    "Ingrid Vestheim",
    "Kirkenes",
    "ingrid.vestheim@example.net",
    "free my neighbour Qurbanjan",
)


def compose(client, action, target, channel):
    data = {
        "key": str(uuid.uuid4()), "targets": [target.pk], "language": "en", "channel": channel,
        "body": f"Please {LETTER}.\n\nYours sincerely,", "name": NAME, "town": TOWN, "country": "no",
        "email": EMAIL, "step": "send", "wants_updates": "on",
    }  # fmt: skip
    assert client.post(reverse("appeals:compose", kwargs={"slug": action.slug}), data).status_code == 302
    return data["key"]


def texts_holding(needles: list[str]) -> list[str]:
    """Every text, char and JSON value in the database that holds one of the needles, as model.field."""
    found = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for field, value in zip(fields, row, strict=True):
                text = str(value).casefold()
                found += [f"{model._meta.label}.{field}" for n in needles if n.casefold() in text]
    return found


def test_after_erasure_nothing_of_the_supporter_is_left(client, open_action):
    xi, ma = open_action.targets.get(name="Xi Jinping"), open_action.targets.get(name="Ma Xingrui")
    # A CRM that was allowed the writer's name with each counted appeal.
    Webhook.objects.create(name="CRM", url="https://crm.example.org/hooks", personal_data=True)
    posted = compose(client, open_action, xi, "post")
    [confirmation] = EmailConfirmation.objects.all()
    token = confirmation.new_link_token()
    services.appeals_confirm(token)
    appeal = Appeal.objects.get(submission=posted)
    assert appeal.confirm_sent_by_supporter()
    assert WebhookDelivery.objects.filter(event=Webhook.Event.APPEAL_COUNTED, object_id=appeal.pk).exists()
    # The official answered, to the supporter by name and town.
    Reply.objects.create(appeal=appeal, text=f"Dear {NAME} of {TOWN}, as to your wish to {LETTER}: no.")
    compose(client, open_action, ma, "post")  # a second form, never confirmed
    supporter = Supporter.find(EMAIL)
    # They asked for the link to their data: the outbox holds their address's keyed hash until it goes.
    assert client.post(reverse("supporters:link"), {"email": EMAIL}).status_code == 302
    assert texts_holding([supporter.email_hash])
    data = services.supporter_data(supporter)
    assert [r["text"] for a in data["appeals"] for r in a["replies"]] == [Reply.objects.get().text]
    assert texts_holding([NAME, TOWN, LETTER])  # the test finds them while they are there

    assert erase(supporter, by="supporter")
    assert texts_holding([NAME, TOWN, EMAIL, LETTER, EMAIL.split("@")[0], supporter.email_hash]) == []
    # The counts stay: the posted letter, anonymous; the unconfirmed one is withdrawn.
    assert services.appeal_counts(action=open_action)["total"] == {"": 1}
    assert set(Appeal.objects.values_list("status", flat=True)) == {"posted", "withdrawn"}
    assert Reply.objects.get().created_at <= timezone.now()
