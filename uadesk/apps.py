"""The project itself as an app, so it can carry the commands that span the desk (`uadesk run`)."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class UadeskConfig(AppConfig):
    name = "uadesk"
    verbose_name = "uadesk"

    def ready(self):
        from . import pagecache
        from .database import install_close_when_lost

        connection_created.connect(install_close_when_lost)
        pagecache.watch_changes()
