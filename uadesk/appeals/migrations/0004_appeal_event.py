# Letters handwritten at a letter-writing event are counted as posted appeals of that event.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0003_appeal_wants_updates_reply"),
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appeals",
                to="events.event",
            ),
        ),
    ]
