# The supporter's email moves out of the appeal into their sealed Supporter record.

import django.db.models.deletion
from django.db import migrations, models


def seal_reply_addresses(apps, schema_editor):
    from uadesk.supporters import crypto

    Appeal = apps.get_model("appeals", "Appeal")
    Supporter = apps.get_model("supporters", "Supporter")
    for appeal in Appeal.objects.exclude(reply_to=""):
        key = crypto.email_hash(appeal.reply_to)
        supporter = Supporter.objects.filter(email_hash=key).first() or Supporter.objects.create(
            email_hash=key, email_sealed=crypto.seal(appeal.reply_to)
        )
        Appeal.objects.filter(pk=appeal.pk).update(supporter=supporter)


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0001_initial"),
        ("supporters", "0001_supporter"),
    ]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="supporter",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="appeals",
                to="supporters.supporter",
            ),
        ),
        migrations.RunPython(seal_reply_addresses, migrations.RunPython.noop),
        migrations.RemoveField(model_name="appeal", name="reply_to"),
    ]
