"""Failed tasks stored before mail errors were scrubbed hold the refused recipient's address
(SMTPRecipientsRefused in the traceback): replaced by "<address>", as new errors carry it."""

from django.db import migrations

from uadesk.delivery.email import without_addresses


def scrub(apps, schema_editor):
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    for result in results.objects.filter(traceback__contains="@").only("pk", "traceback").iterator():
        if (scrubbed := without_addresses(result.traceback)) != result.traceback:
            results.objects.filter(pk=result.pk).update(traceback=scrubbed)


class Migration(migrations.Migration):
    dependencies = [
        ("uadesk", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
