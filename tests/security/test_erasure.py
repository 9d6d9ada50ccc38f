"""Erasure leaves nothing of the supporter anywhere: not in a letter, a reply, a letter never confirmed, a
signature, a webhook's payload, the news of a case or a reminder sent to them."""

import uuid

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from uadesk.actions.models import Outcome, OutcomeNotice, Reminder
from uadesk.actions.services import outcome_record
from uadesk.api.models import Webhook, WebhookDelivery
from uadesk.appeals import services
from uadesk.appeals.models import Appeal, EmailConfirmation, Reply
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.petitions.models import Petition, Signature
from uadesk.supporters.models import Supporter
from uadesk.supporters.news import reminder_ask, reminders_due, reminders_queue
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


def sign_and_confirm(client, petition) -> None:
    """Signs through the page, as the supporter's browser would; the worker takes the form; the
    supporter confirms by the link (a new one, as the email's is the worker's)."""
    from tests.petitions.conftest import sign
    from uadesk.petitions import views
    from uadesk.petitions.services import submissions_process

    views._recent.clear()  # the page keeps a petition a second per process
    response = sign(client, petition, name=NAME, email=EMAIL, country="NO", consent_case_updates="on")
    assert response.status_code == 302
    assert submissions_process() == 1
    signature = Signature.objects.get(petition=petition)
    assert Signature.confirm(signature.new_link_token()) is not None


def test_after_erasure_nothing_of_the_supporter_is_left(client, open_action, smtp_server):
    mailbox, _ = smtp_server
    xi, ma = open_action.targets.get(name="Xi Jinping"), open_action.targets.get(name="Ma Xingrui")
    # A CRM that was allowed the writer's name with each counted appeal and confirmed signature.
    Webhook.objects.create(name="CRM", url="https://crm.example.org/hooks", personal_data=True)
    # They asked to be reminded before the deadline, and were.
    reminder_ask(action=open_action, email=EMAIL)
    assert reminders_queue(reminders_due(today=timezone.localdate(), days_before=30)) == 1
    deliver_messages.call()
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
    # They signed the case's petition, asking for its news, and confirmed their signature.
    petition = Petition.objects.create(
        action=open_action, slug="free-qurbanjan", title="Free Qurbanjan", text="We ask."
    )
    sign_and_confirm(client, petition)
    # The case's news reached them (one email, though they both wrote and signed).
    outcome_record(
        Outcome(action=open_action, kind="other", happened_on=timezone.localdate(), public_note="News.")
    )
    supporter = Supporter.find(EMAIL)
    assert OutcomeNotice.objects.filter(supporter=supporter).count() == 1
    deliver_messages.call()
    sent = Message.objects.filter(status="sent").values_list("kind", flat=True)
    assert {"reminder", "petition-email", "outcome-news"} <= set(sent)
    assert len(mailbox.messages) >= 3
    # They asked for the link to their data: the outbox holds their address's keyed hash until it goes.
    assert client.post(reverse("supporters:link"), {"email": EMAIL}).status_code == 302
    assert texts_holding([supporter.email_hash])
    data = services.supporter_data(supporter)
    assert [r["text"] for a in data["appeals"] for r in a["replies"]] == [Reply.objects.get().text]
    # The test finds them while they are there: in the letter, the reply, the signature, the payloads.
    held = set(texts_holding([NAME, TOWN, LETTER]))
    assert {"petitions.Signature.name", "api.WebhookDelivery.payload", "appeals.Reply.text"} <= held
    assert WebhookDelivery.objects.filter(event=Webhook.Event.SIGNATURE_CONFIRMED).count() == 1

    assert erase(supporter, by="supporter")
    assert texts_holding([NAME, TOWN, EMAIL, LETTER, EMAIL.split("@")[0], supporter.email_hash]) == []
    # The counts stay: the posted letter, anonymous; the unconfirmed one is withdrawn; the signature.
    assert services.appeal_counts(action=open_action)["total"] == {"": 1}
    assert set(Appeal.objects.values_list("status", flat=True)) == {"posted", "withdrawn"}
    assert petition.signatures.confirmed().count() == 1
    assert Reply.objects.get().created_at <= timezone.now()
    assert not OutcomeNotice.objects.exists() and not Reminder.objects.exists()
