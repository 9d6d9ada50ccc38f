"""The staff desk's API pages: webhooks with their secret, deliveries as a read-only log."""

import pytest

from uadesk.api.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


def test_an_administrator_registers_a_webhook_and_reads_its_secret(staff_client):
    response = staff_client.post(
        "/staff/api/webhook/add/",
        {"name": "Porto CRM", "url": "https://crm.example.org/hooks", "appeals": "on", "active": "on"},
    )
    assert response.status_code == 302
    hook = Webhook.objects.get()
    assert (hook.appeals, hook.signatures, hook.personal_data) == (True, False, False)
    assert len(hook.secret) == 64
    assert hook.secret in staff_client.get(f"/staff/api/webhook/{hook.pk}/change/").content.decode()
    refused = staff_client.post("/staff/api/webhook/add/", {"name": "FTP", "url": "ftp://example.org/x"})
    assert refused.status_code == 200 and Webhook.objects.count() == 1


def test_deliveries_are_a_log_nobody_edits(staff_client, open_action):
    hook = Webhook.objects.create(name="CRM", url="https://crm.example.org/hooks")
    delivery = WebhookDelivery.objects.create(webhook=hook, event="appeal.counted", object_id=1, payload={})
    assert staff_client.get("/staff/api/webhookdelivery/").status_code == 200
    assert staff_client.get(f"/staff/api/webhookdelivery/{delivery.pk}/change/").status_code == 200
    staff_client.post(f"/staff/api/webhookdelivery/{delivery.pk}/delete/", {"post": "yes"})
    assert WebhookDelivery.objects.filter(pk=delivery.pk).exists()
