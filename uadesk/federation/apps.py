"""The federation app: an office desk's feed to its sections' desks, and their reports back."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "uadesk.federation"
    verbose_name = _("Federation")

    def ready(self):
        from . import signals

        signals.connect()
