"""The cache's table, where the cache is the database (no REDIS_URL), made with the schema: a saved
change to an action writes the kept pages' generation into it (uadesk/pagecache.py), from any command,
not only once `uadesk run` has made it."""

from django.core.management import call_command
from django.db import migrations


def cache_table(apps, schema_editor):
    # Makes only the tables of database caches that are missing; nothing for Redis.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("uadesk", "0002_tracebacks_without_addresses")]

    operations = [migrations.RunPython(cache_table, migrations.RunPython.noop)]
