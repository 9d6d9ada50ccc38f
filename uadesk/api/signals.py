"""Webhook hooks: the API hears of counted appeals and confirmed signatures without touching their apps,
and writes each webhook's message in the transaction that counts or confirms them.

- post_save of an Appeal whose status is counted (Appeal.COUNTED), and of a petitions Signature whose
  confirmed_at is set; appeals_counted (the desk's send, the supporter's "I sent it", an event's tally)
  and signature_confirmed (the link), which those apps send for their UPDATEs and bulk_creates. Each
  makes the deliveries at once: they commit, or vanish, with the change. "Not counted before" needs no
  pre_save read: a delivery is unique per (webhook, event, object) and only webhooks that existed when
  it happened get one, so a second save of the same appeal makes nothing new.

With no webhook active this costs one query.
"""

from django.db.models.signals import post_save

from uadesk.appeals.models import Appeal, appeals_counted
from uadesk.petitions.models import Signature, signature_confirmed

from .models import Webhook
from .services import webhook_deliveries_create


def appeal_saved(sender, instance: Appeal, **kwargs) -> None:
    if instance.status in Appeal.COUNTED:
        webhook_deliveries_create(event=Webhook.Event.APPEAL_COUNTED, object_id=instance.pk)


def appeals_announced(sender, *, appeal_ids, **kwargs) -> None:
    for pk in appeal_ids:
        webhook_deliveries_create(event=Webhook.Event.APPEAL_COUNTED, object_id=pk)


def signature_saved(sender, instance: Signature, **kwargs) -> None:
    if instance.confirmed_at is not None:
        webhook_deliveries_create(event=Webhook.Event.SIGNATURE_CONFIRMED, object_id=instance.pk)


def signature_announced(sender, *, signature: Signature, **kwargs) -> None:
    webhook_deliveries_create(event=Webhook.Event.SIGNATURE_CONFIRMED, object_id=signature.pk)


def connect() -> None:
    post_save.connect(appeal_saved, sender=Appeal, dispatch_uid="api-webhooks-appeal")
    appeals_counted.connect(appeals_announced, sender=Appeal, dispatch_uid="api-webhooks-appeals-counted")
    post_save.connect(signature_saved, sender=Signature, dispatch_uid="api-webhooks-signature")
    signature_confirmed.connect(
        signature_announced, sender=Signature, dispatch_uid="api-webhooks-signature-confirmed"
    )
