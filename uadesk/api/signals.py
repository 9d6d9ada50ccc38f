"""Webhook hooks: the API hears of new counted appeals and confirmed signatures without touching their apps.

- post_save of an Appeal whose status is counted (Appeal.COUNTED), and of a petitions Signature whose
  confirmed_at is set, queues webhooks_fan_out once the transaction commits. "Not counted before" needs
  no pre_save read: a delivery is unique per (webhook, event, object) and only webhooks that existed
  when it happened get one, so a second save of the same appeal makes nothing new.
- Appeal.record_sent, Appeal.confirm_sent_by_supporter and Signature.confirm change status with UPDATE
  statements, which send no signal. For the worker's sends, the end of each deliver_messages task
  (django.tasks' task_finished) queues sweep_webhook_events, which finds what the signals missed in the
  last WEBHOOK_SWEEP_HOURS. Confirmations made in a web request (Signature.confirm, a supporter saying
  they sent their letter) wait for the next delivery run, or for the sweep on the scheduler once
  uadesk/schedule.py lists it (README "## API").

Nothing is queued while no webhook is active, so a desk without webhooks runs no extra task.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.tasks.signals import task_finished

from uadesk.appeals.models import Appeal
from uadesk.petitions.models import Signature

from .models import Webhook

DELIVERY_TASK = "uadesk.delivery.tasks.deliver_messages"


def _queue(event: str, object_id: int, wants: str) -> None:
    def fan_out():
        if Webhook.objects.filter(active=True, **{wants: True}).exists():
            from .tasks import webhooks_fan_out

            webhooks_fan_out.enqueue(event, object_id)

    transaction.on_commit(fan_out)


def appeal_saved(sender, instance: Appeal, **kwargs) -> None:
    if instance.status in Appeal.COUNTED:
        _queue(Webhook.Event.APPEAL_COUNTED, instance.pk, "appeals")


def signature_saved(sender, instance: Signature, **kwargs) -> None:
    if instance.confirmed_at is not None:
        _queue(Webhook.Event.SIGNATURE_CONFIRMED, instance.pk, "signatures")


def delivery_run_finished(sender, task_result, **kwargs) -> None:
    if task_result.task.module_path == DELIVERY_TASK and Webhook.objects.filter(active=True).exists():
        from .tasks import sweep_webhook_events

        sweep_webhook_events.enqueue()


def connect() -> None:
    post_save.connect(appeal_saved, sender=Appeal, dispatch_uid="api-webhooks-appeal")
    task_finished.connect(delivery_run_finished, dispatch_uid="api-webhooks-delivery-run")
    post_save.connect(signature_saved, sender=Signature, dispatch_uid="api-webhooks-signature")
