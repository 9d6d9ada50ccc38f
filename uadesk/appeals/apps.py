"""The appeals app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "uadesk.appeals"
    verbose_name = _("Appeals")

    def ready(self):
        from .outbox import register

        register()
