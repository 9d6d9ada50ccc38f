"""The petitions app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "uadesk.petitions"
    verbose_name = _("Petitions")

    def ready(self):
        from . import signals
        from .outbox import register

        register()
        signals.connect()
