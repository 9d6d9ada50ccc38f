"""The ingest app: reading UA documents into draft actions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    name = "uadesk.ingest"
    verbose_name = _("Ingest")
