"""The network app: members who receive each Urgent Action at the pace they chose, and the mailings."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "uadesk.network"
    verbose_name = _("Network")

    def ready(self):
        from . import outbox, sending, signals

        outbox.register()
        sending.register()
        signals.connect()
