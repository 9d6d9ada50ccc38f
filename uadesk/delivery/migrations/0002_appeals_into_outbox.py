"""The appeals' deliveries move into the outbox: each letter the desk sent, is sending or failed to send
becomes a message with its attempts; a claim in flight is dropped (workers stop for a migration)."""

from django.db import migrations

STATUS = {"queued": "waiting", "sending": "waiting", "sent": "sent", "bounced": "sent", "failed": "failed"}


def forwards(apps, schema_editor):
    Appeal = apps.get_model("appeals", "Appeal")
    DeliveryAttempt = apps.get_model("appeals", "DeliveryAttempt")
    Message = apps.get_model("delivery", "Message")
    Attempt = apps.get_model("delivery", "Attempt")
    fax_gap = 120
    appeals = Appeal.objects.filter(channel__in=["email", "fax"], status__in=list(STATUS)).select_related(
        "action"
    )
    for appeal in appeals.iterator():
        message = Message.objects.create(
            kind="appeal", ref=appeal.pk, status=STATUS[appeal.status],
            pace=f"target-{appeal.target_id}", per_hour=appeal.action.max_appeals_per_target_per_hour,
            gap_seconds=fax_gap if appeal.channel == "fax" else 0,
            attempts=appeal.attempts, last_error=appeal.last_error, next_attempt_at=appeal.next_attempt_at,
            created_at=appeal.created_at, sent_at=appeal.sent_at,
        )  # fmt: skip
        Attempt.objects.bulk_create(
            Attempt(
                message=message, number=a.number, worker=a.worker, started_at=a.started_at,
                finished_at=a.finished_at, outcome=a.outcome, detail=a.detail,
            )  # fmt: skip
            for a in DeliveryAttempt.objects.filter(appeal=appeal)
        )
    Appeal.objects.filter(status="sending").update(status="queued")


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0001_outbox"),
        ("appeals", "0006_target_bounce"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
