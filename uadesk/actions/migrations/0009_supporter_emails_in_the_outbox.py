"""Outcome notices and reminders go through the outbox: a notice not yet sent becomes a waiting message;
a reminder already sent (or given up) is marked queued; their own sending columns go."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    OutcomeNotice = apps.get_model("actions", "OutcomeNotice")
    Reminder = apps.get_model("actions", "Reminder")
    Message = apps.get_model("delivery", "Message")
    pending = OutcomeNotice.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
    Message.objects.bulk_create(
        Message(kind="outcome-news", ref=pk, attempts=attempts, last_error=error)
        for pk, attempts, error in pending.values_list("pk", "attempts", "last_error")
    )
    for reminder in Reminder.objects.exclude(sent_at__isnull=True, failed_at__isnull=True):
        Reminder.objects.filter(pk=reminder.pk).update(queued_at=reminder.sent_at or reminder.failed_at)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0008_target_email_bounces_cleared_at"),
        ("delivery", "0002_appeals_into_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminder",
            name="queued_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ] + [
        migrations.RemoveField(model_name=model, name=name)
        for model in ("outcomenotice", "reminder")
        for name in ("sent_at", "attempts", "next_attempt_at", "failed_at", "last_error")
    ]
