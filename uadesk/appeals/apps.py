"""The appeals app; when Django is ready its letters join the outbox, and it hears of targets redirected."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "uadesk.appeals"
    verbose_name = _("Appeals")

    def ready(self):
        from . import signals
        from .outbox import register

        register()
        signals.connect()
